"""Report jobs from the terminal: request (and watch), list, watch, show, cancel,
retry, regenerate, delete, download."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from client.cli.exit_codes import ExitCode, UsageError
from client.cli.output import Output
from client.cli.progress import watch_job
from client.cli.session import connected
from client.generated.enums import JobStatus, Priority, ReportFormat, ReportKind
from client.generated.fragments import JobFields
from client.generated.input_types import RequestReportInput
from client.reports import Reports


async def request(args: argparse.Namespace, out: Output) -> ExitCode:
    report = RequestReportInput(
        kind=ReportKind(args.kind),
        format=ReportFormat(args.format),
        priority=Priority(args.priority),
        title=args.title,
        dateFrom=args.date_from,
        dateTo=args.date_to,
        runAt=args.run_at,
    )
    if args.watch:
        _directory(args.output)  # before asking for anything
    async with connected(args) as reports:
        job = (await reports.request_report(report)).request_report
        if not args.watch:
            if out.json_mode:
                out.document(job)
            else:
                out.line(job.id)
            return ExitCode.DONE
        out.line(f"Requested {job.id}")
        return await _until_done(reports, job.id, args.output, out)


async def watch_one(args: argparse.Namespace, out: Output) -> ExitCode:
    _directory(args.output)
    async with connected(args) as reports:
        return await _until_done(reports, args.id, args.output, out)


async def _until_done(reports: Reports, job_id: str, output: Path, out: Output) -> ExitCode:
    final = await watch_job(reports, job_id, out)
    if final.status is not JobStatus.COMPLETED:
        out.error(
            f"job {final.id} {final.status.value}" + (f": {final.error}" if final.error else "")
        )
        return ExitCode.JOB_NOT_COMPLETED
    path = await reports.download(final, _directory(output))
    if out.json_mode:
        out.document({"id": final.id, "status": final.status.value, "path": str(path)})
    else:
        out.line(f"Downloaded {path}")
    return ExitCode.DONE


async def list_jobs(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        page = await reports.report_jobs(
            first=args.limit,
            status=JobStatus(args.status) if args.status else None,
            kind=ReportKind(args.kind) if args.kind else None,
        )
    out.jobs([edge.node for edge in page.report_jobs.edges])
    return ExitCode.DONE


async def watch_all(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        async for event in reports.watch_jobs():
            job = event.report_jobs
            if out.json_mode:
                out.document(job)
            else:
                name = job.title or job.kind.value
                message = f" {job.message}" if job.message else ""
                out.line(f"{job.id} {name} {job.status.value} {job.progress}%{message}")
    return ExitCode.DONE


async def show(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        job = (await reports.report_job(args.id)).report_job
    if job is None:
        raise UsageError(f"no job {args.id} in this account")
    out.job(job)
    return ExitCode.DONE


async def cancel(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        return _changed(out, (await reports.cancel_report(args.id)).cancel_report)


async def retry(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        return _changed(out, (await reports.retry_report(args.id)).retry_report)


async def regenerate(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        return _changed(out, (await reports.regenerate_report(args.id)).regenerate_report)


async def delete(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        await reports.delete_report(args.id)
    if out.json_mode:
        out.document({"id": args.id, "deleted": True})
    else:
        out.line(f"Deleted {args.id}")
    return ExitCode.DONE


async def download(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        job = (await reports.report_job(args.id)).report_job
        if job is None:
            raise UsageError(f"no job {args.id} in this account")
        if job.status is not JobStatus.COMPLETED:
            out.error(f"job {job.id} is {job.status.value}: only a COMPLETED job has a file")
            return ExitCode.JOB_NOT_COMPLETED
        path = await reports.download(job, _directory(args.output))
    if out.json_mode:
        out.document({"id": job.id, "path": str(path)})
    else:
        out.line(str(path))
    return ExitCode.DONE


def _changed(out: Output, job: JobFields) -> ExitCode:
    if out.json_mode:
        out.document(job)
    else:
        out.line(f"{job.id} {job.status.value}")
    return ExitCode.DONE


def _directory(output: Path) -> Path:
    if not output.is_dir():
        raise UsageError(f"--output {output} is not a folder")
    return output


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from None


def parse_when(text: str) -> datetime:
    """An instant with its offset; a time without one is taken as this machine's local time."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time like 2026-12-01T09:00 or 2026-12-01T09:00+01:00"
        ) from None
    return when if when.tzinfo is not None else when.astimezone()
