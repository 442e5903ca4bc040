"""Taking back a RUNNING job whose worker is gone (its heartbeat stopped) or stuck (its
lease lapsed): PENDING for another attempt on whichever worker is free, or FAILED
when it has had all its attempts.

The transition is guarded by the attempt number and by what made the job look
lost, so a job that has meanwhile moved on (finished, or started again
elsewhere) is left alone; whatever the lost attempt writes later loses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from models.deliveries import due_when_finished
from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.log_context import about_job
from models.metrics import TakeBackReason, observe_take_back
from models.report_jobs import JobStatus, ReportJob
from workers.context import WorkerContext
from workers.failures import gave_up
from workers.queue import enqueue_report

logger = logging.getLogger(__name__)

LOST_WORKER_ERROR = "The worker building this report stopped responding"
ENQUEUE_TIMEOUT_SECONDS = 1.0
WHY = {
    TakeBackReason.WORKER_LOST: "its heartbeat stopped",
    TakeBackReason.LEASE_LAPSED: "it stopped renewing the job's lease",
}


async def take_back(
    worker: WorkerContext, job: ReportJob, guard: Mapping[str, Any], reason: TakeBackReason
) -> JobSnapshot | None:
    """Hand `job` (as read) on, if `guard` still holds; the job as it now is, else None."""
    with about_job(job.id, job.account_id, job.attempts):
        taken = await _take_back(worker, job, guard, reason)
    if taken is not None:
        observe_take_back(reason)
    return taken


async def _take_back(
    worker: WorkerContext, job: ReportJob, guard: Mapping[str, Any], reason: TakeBackReason
) -> JobSnapshot | None:
    settings = worker.settings
    guard = {"attempts": job.attempts, **guard}
    if job.attempts >= (job.attempt_limit or settings.max_attempts):
        # Its deliveries (report.failed) are enqueued by the sweep's next pass.
        failed = await transition_job(
            worker.publisher,
            job.id,
            JobStatus.FAILED,
            only_from={JobStatus.RUNNING},
            guard=guard,
            error=gave_up(LOST_WORKER_ERROR, job.attempts),
            message="Failed",
            finished_at=datetime.now(UTC),
            lease_expires_at=None,
            **due_when_finished(job.deliveries),
        )
        if failed is not None:
            logger.warning(
                "job %s: FAILED, worker %s lost it (%s) on its last attempt",
                job.id,
                job.worker_id,
                WHY[reason],
            )
        return failed
    pending = await transition_job(
        worker.publisher,
        job.id,
        JobStatus.PENDING,
        only_from={JobStatus.RUNNING},
        guard=guard,
        error=LOST_WORKER_ERROR,
        message="Worker lost; retrying",
        run_after=None,
        lease_expires_at=None,
    )
    if pending is not None:
        logger.warning(
            "job %s: taken back from worker %s (%s) for attempt %s",
            job.id,
            job.worker_id,
            WHY[reason],
            job.attempts + 1,
        )
        # Bounded: arq's calls have none, and a hung Redis must not hold the caller (the
        # heartbeat). Not enqueued, the job is the sweep's (it enqueues stray PENDING jobs).
        try:
            async with asyncio.timeout(ENQUEUE_TIMEOUT_SECONDS):
                await enqueue_report(worker.queue, pending.id, pending.version, pending.priority)
        except TimeoutError:
            logger.warning("job %s: Redis did not take it in time; left to the sweep", job.id)
    return pending
