"""Throttled progress: a few events a second at most, yet never a 10 % step unseen."""

from __future__ import annotations

import time
from uuid import UUID

from models.job_events import JobEventPublisher
from models.job_transitions import transition_job
from models.report_jobs import JobStatus

MIN_VISIBLE_STEP = 10


class JobNoLongerRunningError(Exception):
    """The job left RUNNING under us (cancelled, or taken over): stop quietly."""


class ProgressReporter:
    def __init__(
        self, publisher: JobEventPublisher, job_id: UUID | str, min_interval_seconds: float
    ) -> None:
        self._publisher = publisher
        self._job_id = job_id
        self._min_interval = min_interval_seconds
        self._progress = 0
        self._last_sent_progress = 0
        self._last_sent_at = 0.0

    async def report(self, progress: int, message: str, *, force: bool = False) -> None:
        """Record progress (0..99 while running); it never goes down within an attempt."""
        self._progress = max(self._progress, min(progress, 99))
        now = time.monotonic()
        due = now - self._last_sent_at >= self._min_interval
        big_step = self._progress - self._last_sent_progress >= MIN_VISIBLE_STEP
        if not (force or due or big_step):
            return
        updated = await transition_job(
            self._publisher,
            self._job_id,
            JobStatus.RUNNING,
            only_from={JobStatus.RUNNING},
            progress=self._progress,
            message=message,
        )
        if updated is None:
            raise JobNoLongerRunningError(str(self._job_id))
        self._last_sent_progress = self._progress
        self._last_sent_at = now
