"""One attempt at a report job, seen from the worker running it.

Every write the attempt makes is guarded by its attempt number, so an attempt
that lost its job (cancelled, or taken back after its lease lapsed and started
again elsewhere) can no longer touch it, and finds out at its next checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from models.deliveries import due_when_finished
from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.metrics import job_retries_total
from models.report_jobs import JobStatus, ReportJob
from models.settings import Settings
from workers.context import WorkerContext
from workers.failures import gave_up, retry_delay
from workers.queue import enqueue_delivery, enqueue_report

logger = logging.getLogger(__name__)

# Progress events are throttled, but a subscriber never sees progress move by more than
# this from one event to the next, unless a single report does (see Attempt.report).
MAX_EVENT_STEP = 10
# Between chunks, how often the attempt checks that the job is still its own.
CHECKPOINT_INTERVAL_SECONDS = 0.5


class JobNoLongerOursError(Exception):
    """The job left this attempt (cancelled, or taken over): stop quietly."""


class Attempt:
    def __init__(self, job: JobSnapshot, worker: WorkerContext) -> None:
        self.job = job
        self._publisher = worker.publisher
        self._queue = worker.queue
        self._settings = worker.settings
        self._guard = {"attempts": job.attempts}
        self._progress = 0
        self._last_sent: tuple[int, str | None] = (job.progress, job.message)
        self._last_sent_at = 0.0
        # The latest report not sent (throttled), while it is newer than the last sent.
        self._withheld: tuple[int, str] | None = None
        self._last_checked_at = time.monotonic()
        # True once this attempt's COMPLETED transition has been committed.
        self.completed = False
        # The COMPLETED transition while it runs, so clean-up can wait for its outcome.
        self.completing: asyncio.Future[JobSnapshot | None] | None = None

    @property
    def number(self) -> int:
        return self.job.attempts

    async def _move(
        self, to: JobStatus, only_from: set[JobStatus], **changes: Any
    ) -> JobSnapshot | None:
        return await transition_job(
            self._publisher, self.job.id, to, only_from=only_from, guard=self._guard, **changes
        )

    async def report(self, progress: int, message: str, *, force: bool = False) -> None:
        """Record progress (at most 99 until done); it never goes down within an attempt.

        Sent when forced, when PROGRESS_INTERVAL_SECONDS have passed since the last
        event, or when progress has moved MAX_EVENT_STEP points since. A report
        moving it further than that from the last event is preceded by the one
        before it that was held back, so events are never more than MAX_EVENT_STEP
        apart where no single report moves further. A report saying nothing new is
        not sent.
        """
        self._progress = max(self._progress, min(progress, 99))
        latest = (self._progress, message)
        now = time.monotonic()
        due = now - self._last_sent_at >= self._settings.progress_interval_seconds
        step = self._progress - self._last_sent[0]
        if latest != self._last_sent and (force or due or step >= MAX_EVENT_STEP):
            if step > MAX_EVENT_STEP and self._withheld is not None:
                await self._send(*self._withheld)
            await self._send(*latest)
        else:
            if latest != self._last_sent:
                self._withheld = latest
            if now - self._last_checked_at >= CHECKPOINT_INTERVAL_SECONDS:
                await self.checkpoint()

    async def _send(self, progress: int, message: str) -> None:
        updated = await self._move(
            JobStatus.RUNNING, {JobStatus.RUNNING}, progress=progress, message=message
        )
        if updated is None:
            raise JobNoLongerOursError(str(self.job.id))
        self._last_sent = (progress, message)
        self._withheld = None
        self._last_sent_at = self._last_checked_at = time.monotonic()

    async def checkpoint(self) -> None:
        """Raise JobNoLongerOursError if the job was cancelled or taken over."""
        self._last_checked_at = time.monotonic()
        if not await ReportJob.filter(
            id=self.job.id, status=JobStatus.RUNNING, **self._guard
        ).exists():
            raise JobNoLongerOursError(str(self.job.id))

    async def complete(self, **results: Any) -> JobSnapshot | None:
        now = datetime.now(UTC)
        due = due_when_finished(self.job.deliveries)
        completed = await self._move(
            JobStatus.COMPLETED,
            {JobStatus.RUNNING},
            progress=100,
            message="Done",
            finished_at=now,
            lease_expires_at=None,
            expires_at=now + timedelta(seconds=self._settings.report_retention_seconds),
            **due,
            **results,
        )
        self.completed = completed is not None
        await self._deliver(completed, due)
        return completed

    async def fail(self, error: str) -> None:
        due = due_when_finished(self.job.deliveries)
        failed = await self._move(
            JobStatus.FAILED,
            {JobStatus.RUNNING},
            error=error,
            message="Failed",
            finished_at=datetime.now(UTC),
            lease_expires_at=None,
            **due,
        )
        await self._deliver(failed, due)

    async def _deliver(self, finished: JobSnapshot | None, due: dict[str, Any]) -> None:
        """Start sending a finished job's deliveries (the sweep does, if this is lost)."""
        if finished is not None and due:
            await enqueue_delivery(self._queue, finished.id, due["delivery_due_at"])

    async def retry_or_fail(self, error: str) -> None:
        """Schedule another attempt after a backoff, or fail if none are left."""
        if self.number >= (self.job.attempt_limit or self._settings.max_attempts):
            await self.fail(gave_up(error, self.number))
            return
        delay = retry_delay(
            self.number,
            self._settings.retry_base_delay_seconds,
            self._settings.retry_max_delay_seconds,
        )
        retried = await self.hand_back(
            error=error, message=f"Retrying in {round(delay)} s", delay=delay
        )
        if retried is not None:
            job_retries_total.inc()

    async def hand_back(
        self, *, error: str | None, message: str, delay: float = 0.0
    ) -> JobSnapshot | None:
        """RUNNING -> PENDING for another attempt (retry, shutdown, lost worker); the job
        handed back, or None if it was no longer this attempt's.

        Enqueued now when it may start now; a delayed retry is enqueued by the
        sweep once it is due, so that it keeps its priority in the queue.
        """
        pending = await self._move(
            JobStatus.PENDING,
            {JobStatus.RUNNING},
            error=error,
            message=message,
            run_after=datetime.now(UTC) + timedelta(seconds=delay) if delay else None,
            lease_expires_at=None,
        )
        if pending is not None and not delay:
            await enqueue_report(self._queue, pending.id, pending.version, pending.priority)
        return pending

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[None]:
        """Keep renewing the job's lease while inside; a lapsed lease lets the sweep take it."""
        renewing = asyncio.create_task(self._renew_lease(), name=f"lease:{self.job.id}")
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew_lease(self) -> None:
        while True:
            await asyncio.sleep(self._settings.lease_renew_seconds)
            # Not a visible change, so no new version and no event.
            try:
                await ReportJob.filter(
                    id=self.job.id, status=JobStatus.RUNNING, **self._guard
                ).update(lease_expires_at=lease_deadline(self._settings))
            except Exception:
                logger.warning("job %s: could not renew the lease", self.job.id, exc_info=True)


def lease_deadline(settings: Settings) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=settings.lease_seconds)
