"""The arq task that builds one report, from PENDING to a terminal state."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from tortoise.expressions import F

from models.job_events import JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.report_jobs import JobStatus, ReportFormat
from models.settings import Settings
from workers.progress import JobNoLongerRunningError, ProgressReporter
from workers.renderers import RENDERERS
from workers.renderers.base import DocumentInfo, RenderResources, ReportTooLargeError
from workers.reports import REPORT_BUILDERS
from workers.reports.scope import ReportScope
from workers.storage import (
    prepare_directory,
    publish_file,
    remove_quietly,
    report_path,
    temp_path_for,
)

logger = logging.getLogger(__name__)

# Share of the progress bar spent reading and writing rows; rendering and
# publishing the file take the rest.
READING_SHARE = 90
UNEXPECTED_ERROR = "The report could not be built because of an internal error."


def document_title(job: JobSnapshot) -> str:
    return job.title or f"{job.kind.value.capitalize()} report"


async def generate_report(ctx: dict[str, Any], job_id: str) -> str:
    """Build the job's file; returns the terminal status (or why it did nothing)."""
    publisher: JobEventPublisher = ctx["publisher"]
    settings: Settings = ctx["settings"]
    job = await transition_job(
        publisher,
        job_id,
        JobStatus.RUNNING,
        only_from={JobStatus.PENDING},
        attempts=F("attempts") + 1,
        started_at=datetime.now(UTC),
        progress=0,
        message="Starting",
        error=None,
    )
    if job is None:
        logger.info("job %s: not PENDING any more, nothing to do", job_id)
        return "skipped"
    final = report_path(settings.reports_dir, job.id, job.format)
    temp = temp_path_for(final)
    try:
        await _build(job, temp, final, publisher, settings, ctx["render_resources"])
    except JobNoLongerRunningError:
        logger.info("job %s: left RUNNING while building; stopped", job_id)
        return "stopped"
    except ReportTooLargeError as exc:
        await _fail(publisher, job.id, str(exc))
        return JobStatus.FAILED.value
    except Exception:
        logger.exception("job %s: failed unexpectedly", job_id)
        await _fail(publisher, job.id, UNEXPECTED_ERROR)
        return JobStatus.FAILED.value
    finally:
        await remove_quietly(temp)
    return JobStatus.COMPLETED.value


async def _build(
    job: JobSnapshot,
    temp: Path,
    final: Path,
    publisher: JobEventPublisher,
    settings: Settings,
    resources: RenderResources,
) -> None:
    scope = ReportScope(account_id=job.account_id, date_from=job.date_from, date_to=job.date_to)
    builder = REPORT_BUILDERS[job.kind](scope, settings.read_chunk_rows)
    progress = ProgressReporter(publisher, job.id, settings.progress_interval_seconds)
    await progress.report(0, builder.reading_message, force=True)
    total = await builder.work_total()
    await prepare_directory(final)
    renderer = RENDERERS[job.format](
        temp,
        DocumentInfo(
            title=document_title(job),
            period=scope.describe(),
            generated_at=datetime.now(UTC),
            columns=builder.columns,
        ),
        resources,
    )
    stage = "Writing rows" if job.format is ReportFormat.CSV else "Preparing rows"
    rows = 0
    done = 0
    try:
        async for chunk in builder.chunks():
            await renderer.write_rows(chunk.rows)
            rows += len(chunk.rows)
            done += chunk.work_done
            await progress.report(READING_SHARE * done // max(total, 1), f"{stage} {done}/{total}")
        if job.format is ReportFormat.PDF:
            await progress.report(READING_SHARE, f"Rendering PDF ({rows} rows)", force=True)
        await renderer.finish(builder.summary())
    except BaseException:
        await renderer.abort()
        raise
    size = await publish_file(temp, final)
    completed = await transition_job(
        publisher,
        job.id,
        JobStatus.COMPLETED,
        only_from={JobStatus.RUNNING},
        progress=100,
        message="Done",
        row_count=rows,
        file_path=str(final.relative_to(settings.reports_dir)),
        file_size=size,
        summary=builder.summary(),
        finished_at=datetime.now(UTC),
    )
    if completed is None:
        # Cancelled between the last chunk and now: the file belongs to no one.
        await remove_quietly(final)
        raise JobNoLongerRunningError(str(job.id))
    logger.info("job %s: completed, %s rows, %s bytes", job.id, rows, size)


async def _fail(publisher: JobEventPublisher, job_id: UUID, error: str) -> None:
    await transition_job(
        publisher,
        job_id,
        JobStatus.FAILED,
        only_from={JobStatus.RUNNING},
        error=error,
        message="Failed",
        finished_at=datetime.now(UTC),
    )
