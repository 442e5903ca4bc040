"""Watching one job: a live progress bar on a terminal, plain lines otherwise (a cron
mail stays readable), JSON lines for scripts."""

from __future__ import annotations

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from client.cli.output import Output
from client.generated.enums import JobStatus
from client.generated.fragments import JobFields
from client.reports import Reports

# Plain output prints a line when the status changes, and every this many percent.
PLAIN_STEP = 10


async def watch_job(reports: Reports, job_id: str, out: Output) -> JobFields:
    """Follow the job until it is settled; its last state."""
    if out.json_mode:
        return await _watch_json(reports, job_id, out)
    if out.terminal:
        return await _watch_bar(reports, job_id, out)
    return await _watch_plain(reports, job_id, out)


async def _watch_json(reports: Reports, job_id: str, out: Output) -> JobFields:
    last: JobFields | None = None
    async for event in reports.watch_job(job_id):
        last = event.report_job
        out.document(last)
    assert last is not None, "a watched job sends its state first"
    return last


async def _watch_plain(reports: Reports, job_id: str, out: Output) -> JobFields:
    last: JobFields | None = None
    shown: tuple[JobStatus, int] | None = None
    async for event in reports.watch_job(job_id):
        last = event.report_job
        step = last.progress // PLAIN_STEP
        if shown is None or shown != (last.status, step):
            shown = (last.status, step)
            message = f" {last.message}" if last.message else ""
            out.line(f"{last.status.value} {last.progress}%{message}")
    assert last is not None, "a watched job sends its state first"
    return last


async def _watch_bar(reports: Reports, job_id: str, out: Output) -> JobFields:
    last: JobFields | None = None
    columns = (
        TextColumn("{task.fields[status]:<9}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=out.console, transient=False) as bar:
        task = bar.add_task("", total=100, status="PENDING")
        async for event in reports.watch_job(job_id):
            last = event.report_job
            bar.update(
                task,
                completed=last.progress,
                description=last.message or "",
                status=last.status.value,
            )
    assert last is not None, "a watched job sends its state first"
    return last
