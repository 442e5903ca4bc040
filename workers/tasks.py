"""The arq task that builds one report, from PENDING to a terminal state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import F

from models.failures import is_connection_failure
from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.log_context import set_job
from models.report_jobs import JobStatus, ReportFormat
from models.report_jobs import ReportJob as ReportJobModel
from models.settings import Settings
from workers.attempt import Attempt, JobNoLongerOursError, lease_deadline
from workers.context import WorkerContext
from workers.csv_copy import can_copy, copy_snapshot
from workers.failures import (
    PermanentReportError,
    SimulatedStorageError,
    describe_transient,
    is_transient,
)
from workers.fair_share import enqueue_waiting
from workers.renderers import RENDERERS
from workers.renderers.base import DocumentInfo, RenderStatus
from workers.renderers.csv_renderer import CsvRenderer
from workers.reports import REPORT_BUILDERS
from workers.reports.base import CopyableReport, CopyPlan, ReportBuilder
from workers.reports.scope import ReportScope
from workers.storage import SerialFileIO

logger = logging.getLogger(__name__)

# Reading's weight in progress, against the renderer's own work (ReportRenderer.work):
# a row or line item read through the ORM and turned into the report's rows. Measured
# in-process in chunks of 408, on two cores under other load: 68 µs (ORDERS), 90 µs
# (SALES), 157 µs (INVENTORY, which also sums each product's sales) of wall time.
READ_MS_PER_UNIT = 0.1
UNEXPECTED_ERROR = "The report could not be built because of an internal error."


def document_title(job: JobSnapshot) -> str:
    return job.title or f"{job.kind.value.capitalize()} report"


async def generate_report(ctx: dict[str, Any], job_id: str, queued_version: int) -> str:
    """Run one attempt of a job; returns how it ended (or why it did nothing)."""
    worker = WorkerContext.of(ctx)
    settings = worker.settings
    # If this fails (the database is away), the job stays PENDING and the sweep
    # enqueues it again: nothing to clean up yet.
    rows = await ReportJobModel.filter(id=job_id).values_list("account_id", "run_after")
    if not rows:
        logger.info("job %s: gone before it started", job_id)
        return "skipped"
    account_id, run_after = rows[0]
    if run_after is not None and run_after > datetime.now(UTC):
        # Enqueued ahead of its time (runAt, a retry's backoff): the sweep enqueues it then.
        logger.info("job %s: not due until %s", job_id, run_after.isoformat())
        return "not due"
    async with worker.slot_turns.turn(
        UUID(str(account_id)), settings.max_running_jobs_per_account
    ) as free:
        if not free:
            # Its turn comes when one of its account's jobs ends (fair_share.py).
            logger.info("job %s: its account has its share of slots; it waits", job_id)
            return "waiting"
        job = await transition_job(
            worker.publisher,
            job_id,
            JobStatus.RUNNING,
            only_from={JobStatus.PENDING},
            # A stale arq job (an earlier attempt's) must not start a later one.
            guard={"queued_version": queued_version},
            attempts=F("attempts") + 1,
            started_at=datetime.now(UTC),
            progress=0,
            message="Starting",
            error=None,
            run_after=None,
            lease_expires_at=lease_deadline(settings),
            worker_id=worker.worker_id,
        )
    if job is None:
        logger.info("job %s: attempt v%s is not PENDING any more", job_id, queued_version)
        return "skipped"
    attempt = Attempt(job, worker)
    # From here every line, the attempt's tasks' and the libraries' too, names the attempt.
    set_job(job.id, job.account_id, attempt.number)
    build = ReportBuild(attempt, worker)
    time_limit = asyncio.timeout(settings.job_time_limit_seconds)
    try:
        async with attempt.lease():
            try:
                async with time_limit:
                    await build.run()
            except TimeoutError:
                if not time_limit.expired():
                    raise
                await attempt.fail(f"Timed out after {settings.job_time_limit_seconds} s.")
                return JobStatus.FAILED.value
        return JobStatus.COMPLETED.value
    except JobNoLongerOursError:
        logger.info("job %s: attempt %s stopped, the job left it", job.id, attempt.number)
        return "stopped"
    except PermanentReportError as exc:
        await attempt.fail(str(exc))
        return JobStatus.FAILED.value
    except asyncio.CancelledError:
        # Aborted (the job was cancelled: the hand-back finds it CANCELLED and
        # does nothing) or the worker is shutting down: another worker takes over.
        await asyncio.shield(
            attempt.hand_back(error=None, message="Interrupted; continuing on another worker")
        )
        raise
    except Exception as exc:
        if not is_transient(exc):
            logger.exception("job %s: attempt %s failed unexpectedly", job.id, attempt.number)
            await attempt.fail(UNEXPECTED_ERROR)
            return JobStatus.FAILED.value
        logger.warning("job %s: attempt %s hit a transient fault: %r", job.id, attempt.number, exc)
        await attempt.retry_or_fail(describe_transient(exc))
        return "retrying"
    finally:
        try:
            await build.clean_up()
        finally:
            await _free_slot(worker, job.account_id)


async def wait_out(future: asyncio.Future[Any]) -> bool:
    """Wait until `future` is done, however often this task is cancelled meanwhile (the
    future is never cancelled by it); whether this task was."""
    cancelled = False
    while not future.done():
        try:
            await asyncio.wait({future})
        except asyncio.CancelledError:
            cancelled = True
    return cancelled


async def _free_slot(worker: WorkerContext, account_id: UUID) -> None:
    """One of the account's slots is free: its next waiting jobs may take it."""
    try:
        await enqueue_waiting(
            worker.queue, account_id, worker.settings.max_running_jobs_per_account
        )
    except Exception as exc:
        if not is_connection_failure(exc):
            raise
        logger.info("waiting jobs of account %s left to the sweep: %r", account_id, exc)


class ReportBuild:
    """One attempt's report file: read the rows, render them, publish the file, complete.

    Each attempt writes a file of its own (storage.report_key), unpublished until
    it is whole, with its local file operations in order on one thread (SerialFileIO).
    """

    def __init__(self, attempt: Attempt, worker: WorkerContext) -> None:
        self.attempt = attempt
        self.worker = worker
        self.settings = worker.settings
        job = attempt.job
        self.io = SerialFileIO()
        self.output = worker.storage.report_file(job.id, job.format, attempt.number, self.io)

    async def run(self) -> None:
        attempt, job = self.attempt, self.attempt.job
        scope = ReportScope(account_id=job.account_id, date_from=job.date_from, date_to=job.date_to)
        builder = REPORT_BUILDERS[job.kind](scope, self._chunk_rows())
        await attempt.report(0, builder.reading_message, force=True)
        info = DocumentInfo(
            title=document_title(job),
            period=scope.describe(),
            generated_at=datetime.now(UTC),
            columns=builder.columns,
            free_text_columns=builder.free_text_columns,
        )
        # PostgreSQL writes a CSV itself where it can; SQLite and other formats take rows.
        if job.format is ReportFormat.CSV and isinstance(builder, CopyableReport) and can_copy():
            rows, summary = await self._copy_rows(builder, builder.copy_plan(), info)
        else:
            rows, summary = await self._render_rows(builder, info)
        size = await self.output.publish()
        completion = attempt.completing = asyncio.ensure_future(
            attempt.complete(
                row_count=rows,
                file_path=self.output.key,
                file_size=size,
                summary=summary,
            )
        )
        try:
            completed = await asyncio.shield(completion)
        except asyncio.CancelledError:
            # Aborted while completing: wait for the outcome, so the clean-up knows
            # whether the file is the job's.
            await wait_out(completion)
            if not completion.cancelled() and (failure := completion.exception()) is not None:
                logger.warning("job %s: completing failed as it was aborted: %r", job.id, failure)
            raise
        if completed is None:
            # Cancelled between the last chunk and now: the file belongs to no one.
            raise JobNoLongerOursError(str(job.id))
        logger.info("job %s: completed, %s rows, %s bytes", job.id, rows, size)

    async def clean_up(self) -> None:
        """Remove what the attempt leaves behind; runs however the attempt ended.

        Queued behind any write still in flight, so no file can outlive its job:
        the temp file always goes, the final one unless this attempt completed.
        An abort arriving now must not skip this: removals are queued at once,
        and a completion still in flight is waited for, cancel or not.
        """
        attempt, output = self.attempt, self.output
        cleanup = [asyncio.ensure_future(output.discard_unpublished())]
        cancelled = False
        if attempt.completing is not None:
            cancelled = await wait_out(attempt.completing)
        if not attempt.completed:
            cleanup.append(asyncio.ensure_future(output.delete_published()))
        try:
            outcomes = await asyncio.shield(asyncio.gather(*cleanup, return_exceptions=True))
        finally:
            self.io.close()
        for failure in outcomes:
            if isinstance(failure, BaseException):
                # Storage away (the fault that may have ended the attempt): what is left
                # is no job's, and the sweep removes it once it is old.
                logger.warning("job %s: clean-up left files behind: %r", attempt.job.id, failure)
        if cancelled:
            raise asyncio.CancelledError

    def _chunk_rows(self) -> int:
        """READ_CHUNK_ROWS, or fewer where the format's renderer wants fewer."""
        limit = RENDERERS[self.attempt.job.format].max_chunk_rows
        chunk = self.settings.read_chunk_rows
        return chunk if limit is None else min(chunk, limit)

    async def _render_rows(
        self, builder: ReportBuilder, info: DocumentInfo
    ) -> tuple[int, dict[str, Any]]:
        """The builder's rows through the format's renderer; the row count and summary."""
        job = self.attempt.job
        total = await builder.work_total()
        renderer_type = RENDERERS[job.format]
        progress = _Progress(self.attempt, builder, total, renderer_type.work, self.settings)
        renderer = renderer_type(
            self.output, info, self.worker.render_resources, self.io, progress=progress.rendered
        )
        if builder.work_is_rows:
            await renderer.expect_rows(total)
        await self._prepare_to_write()
        rows = 0
        try:
            async for chunk in builder.chunks():
                # Counted first: the renderer's progress, told as it writes them, is
                # measured against the rows read so far.
                await progress.read(chunk.work_done, len(chunk.rows))
                await renderer.write_rows(chunk.rows)
                rows += len(chunk.rows)
            await progress.finish_reading()
            await renderer.finish(builder.summary())
        except BaseException:
            await renderer.abort()
            raise
        return rows, builder.summary()

    async def _copy_rows(
        self, builder: ReportBuilder, plan: CopyPlan, info: DocumentInfo
    ) -> tuple[int, dict[str, Any]]:
        """A CSV that PostgreSQL writes (COPY); the row count and summary."""
        async with copy_snapshot(plan) as copy:
            progress = _Progress(self.attempt, builder, copy.rows, CsvRenderer.work, self.settings)
            renderer = CsvRenderer(self.output, info, self.worker.render_resources, self.io)
            await self._prepare_to_write()
            try:
                rows = await copy.write_to(
                    renderer, progress.wrote_rows, self.settings.read_chunk_rows
                )
                await progress.finish_reading()
                await renderer.finish(copy.summary)
            except BaseException:
                await renderer.abort()
                raise
        return rows, copy.summary

    async def _prepare_to_write(self) -> None:
        if self.attempt.number <= self.settings.fault_transient_failures:
            raise SimulatedStorageError("simulated storage failure (FAULT_TRANSIENT_FAILURES)")
        await self.output.prepare()


class _Progress:
    """One attempt's progress: reading (the builder's units of work_total) and the renderer's
    own work (a PDF's pages), each weighed by its estimated cost, as one percentage.

    Messages count what the user gets: rows of the file, or line items read and the rows
    made of them so far, then the renderer's stage ("Rendered 3 of 13 pages") once it
    knows how many rows are coming. While a kind whose rows are made from line items is
    read, its row total (and so the renderer's work) is estimated from the rows made of
    the line items read so far; it is exact once reading ends.
    """

    def __init__(
        self,
        attempt: Attempt,
        builder: ReportBuilder,
        total: int,
        render_work: Callable[[int], float],
        settings: Settings,
    ) -> None:
        self._attempt = attempt
        self._work_is_rows = builder.work_is_rows
        self._unit = builder.work_unit
        self._total = total
        self._render_work = render_work
        self._done = 0
        self._rows = 0
        self._reading = True
        self._rendering = RenderStatus()
        self._delay = settings.fault_chunk_delay_seconds

    async def read(self, work: int, rows: int) -> None:
        """`work` more units read, which made `rows` rows."""
        self._done += work
        self._rows += rows
        await self._report()
        if self._delay:
            await asyncio.sleep(self._delay)

    async def wrote_rows(self, rows: int) -> None:
        """`rows` rows read and written, each a unit of work (COPY)."""
        await self.read(rows, rows)

    async def finish_reading(self) -> None:
        """Every row is read: the count of them is shown, whatever the throttle."""
        self._reading = False
        await self._report(force=True)

    async def rendered(self, status: RenderStatus) -> None:
        self._rendering = status
        await self._report(force=status.milestone)

    async def _report(self, *, force: bool = False) -> None:
        message = self._rendering.stage or self._reading_stage()
        await self._attempt.report(self._percent(), message, force=force)

    def _percent(self) -> int:
        done = READ_MS_PER_UNIT * self._done + self._rendering.work_done
        whole = READ_MS_PER_UNIT * max(self._total, self._done)
        whole += self._render_work(self._rows_expected())
        if not whole:
            return 0 if self._reading else 100
        return min(100, int(100 * done / whole))

    def _rows_expected(self) -> int:
        if not self._reading:
            return self._rows
        if self._work_is_rows:
            return max(self._total, self._rows)
        return self._rows * self._total // self._done if self._done else 0

    def _reading_stage(self) -> str:
        if self._work_is_rows:
            return f"Writing {self._unit} {self._done}/{self._total}"
        rows = f"{self._rows} row" if self._rows == 1 else f"{self._rows} rows"
        return f"Reading {self._unit} {self._done}/{self._total} ({rows})"
