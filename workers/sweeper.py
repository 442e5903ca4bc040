"""The periodic sweep that keeps jobs moving through faults.

Every worker runs it; conditional transitions make concurrent sweeps safe.
- RUNNING jobs whose lease lapsed (their worker is alive but stuck) go back to
  PENDING for another attempt, or FAILED when none are left. A dead worker's
  jobs are taken back sooner, by the heartbeats (workers/heartbeat.py).
- PENDING jobs that arq may not hold (Redis was down at enqueue, or lost its
  data) are enqueued again; arq ignores an id it still holds. A run's first
  sweep enqueues them at once (oldest first, SWEEP_BATCH of them): a run starts
  after an outage, when jobs handed back or taken back meanwhile may not have
  reached the queue.
- Expired report files are deleted, and so are temp files and unfinished uploads
  left by crashes, and report files that no job names.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q

from models.failures import is_connection_failure
from models.job_transitions import transition_job
from models.metrics import TakeBackReason, observe_take_back
from models.report_jobs import JobStatus, Priority, ReportJob
from models.worker_heartbeats import forget_dead_workers
from workers.context import WorkerContext
from workers.database_uptime import DatabaseUptime
from workers.delivery.outbox import enqueue_due_deliveries
from workers.delivery.sign_up_emails import sweep_sign_ups
from workers.queue import enqueue_report, release_untaken_attempts
from workers.storage.base import key_attempt
from workers.take_back import take_back

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


class Sweeper:
    def __init__(self, worker: WorkerContext, uptime: DatabaseUptime) -> None:
        self._worker = worker
        self._settings = worker.settings
        self._queue = worker.queue
        self._uptime = uptime
        self._last_cleanup = 0.0
        self._first_sweep_done = False
        # Delayed attempts due before the next sweep, each waiting for its moment.
        self._timed: dict[tuple[UUID, int], asyncio.Task[None]] = {}

    async def run_forever(self) -> None:
        try:
            while True:
                try:
                    await self.sweep()
                except Exception as exc:
                    # The sweep must outlive outages; anything else is a bug worth a trace.
                    if is_connection_failure(exc):
                        logger.warning("sweep: skipped, a service is unreachable (%s)", exc)
                    else:
                        logger.exception("sweep failed")
                await asyncio.sleep(self._settings.sweep_interval_seconds)
        finally:
            # The rows stay PENDING: whichever worker sweeps next enqueues them.
            for task in list(self._timed.values()):
                task.cancel()

    async def sweep(self) -> None:
        # Workers could not renew their leases while the database was away (or
        # before this worker started): give them one lease period before
        # treating a lapsed lease as a stuck worker. The heartbeats keep the uptime.
        if self._uptime.up_for() >= self._settings.lease_seconds:
            await self.take_back_lapsed_leases()
        await self.enqueue_stray_pending(grace=self._first_sweep_done)
        self._first_sweep_done = True
        await enqueue_due_deliveries(self._worker)
        if time.monotonic() - self._last_cleanup >= self._settings.cleanup_interval_seconds:
            await sweep_sign_ups(self._worker)
            await self.expire_files()
            await self.remove_orphan_temp_files()
            await self.remove_unreferenced_files()
            await forget_dead_workers()
            self._last_cleanup = time.monotonic()

    async def take_back_lapsed_leases(self) -> None:
        now = datetime.now(UTC)
        lapsed = await ReportJob.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now).limit(
            SWEEP_BATCH
        )
        for job in lapsed:
            await take_back(
                self._worker, job, {"lease_expires_at__lt": now}, TakeBackReason.LEASE_LAPSED
            )

    async def enqueue_stray_pending(self, *, grace: bool = True) -> None:
        """PENDING jobs arq may not hold, and delayed ones (runAt, a retry's backoff)
        that are due; those due before the next sweep are enqueued on the dot.

        Without `grace`, every due PENDING job is enqueued, however recent."""
        now = datetime.now(UTC)
        settled = now - timedelta(seconds=self._settings.pending_grace_seconds if grace else 0)
        soon = now + timedelta(seconds=self._settings.sweep_interval_seconds)
        strays = (
            await ReportJob.filter(status=JobStatus.PENDING)
            .filter(Q(run_after__isnull=True, updated_at__lt=settled) | Q(run_after__lte=soon))
            .order_by("updated_at")
            .limit(SWEEP_BATCH)
            .values_list("id", "queued_version", "priority", "run_after")
        )
        if grace:
            # Not on a run's first sweep: a job requested a moment ago may be starting.
            lost = await release_untaken_attempts(
                self._queue,
                [
                    (job_id, version)
                    for job_id, version, _, run_after in strays
                    if run_after is None or run_after <= now
                ],
            )
            if lost:
                logger.warning("%s jobs taken from the queue by a lost worker, released", lost)
                observe_take_back(TakeBackReason.WORKER_LOST, lost)
        for job_id, queued_version, priority, run_after in strays:
            if run_after is not None and run_after > now:
                self._enqueue_at(run_after, job_id, queued_version, Priority(priority))
            else:
                await enqueue_report(self._queue, job_id, queued_version, Priority(priority))

    def _enqueue_at(
        self, moment: datetime, job_id: UUID, queued_version: int, priority: Priority
    ) -> None:
        """Enqueue an attempt when `moment` comes, once however many sweeps see it first."""
        key = (job_id, queued_version)
        if key in self._timed:
            return

        async def enqueue() -> None:
            try:
                await asyncio.sleep((moment - datetime.now(UTC)).total_seconds())
                await enqueue_report(self._queue, job_id, queued_version, priority)
            finally:
                self._timed.pop(key, None)

        self._timed[key] = asyncio.create_task(enqueue(), name=f"enqueue-at-{job_id}")

    async def expire_files(self) -> None:
        now = datetime.now(UTC)
        expired = await ReportJob.filter(
            status=JobStatus.COMPLETED, expires_at__lt=now, file_path__isnull=False
        ).limit(SWEEP_BATCH)
        for job in expired:
            assert job.file_path is not None
            done = await transition_job(
                self._worker.publisher,
                job.id,
                JobStatus.COMPLETED,
                only_from={JobStatus.COMPLETED},
                guard={"file_path": job.file_path},
                file_path=None,
                message="Expired",
            )
            if done is not None:
                # Should this fail, the file is no one's now: remove_unreferenced_files
                # deletes it later.
                await self._worker.storage.delete(job.file_path)
                logger.info("job %s: file expired and deleted", job.id)

    async def remove_orphan_temp_files(self) -> None:
        """Temp files and unfinished multipart uploads of crashed attempts."""
        storage = self._worker.storage
        age = self._settings.orphan_temp_age_seconds
        removed = await storage.remove_abandoned(age, _written_by_running_attempts)
        if removed:
            logger.info("removed %s unfinished files left by crashed attempts", removed)

    async def remove_unreferenced_files(self) -> None:
        """Finished files no job names: a crashed attempt's (or a deleted job's, whose
        removal failed). Only those older than any attempt could run, so an attempt
        between publishing its file and completing its job is never caught out."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self._settings.orphan_temp_age_seconds)
        removed = 0
        async for keys in self._worker.storage.stored_before(cutoff):
            # By the jobs' primary keys, which a report key names: file_path has no index.
            job_ids = {found[0] for key in keys if (found := key_attempt(key)) is not None}
            known = ReportJob.filter(id__in=job_ids, file_path__isnull=False)
            kept = {path for (path,) in await known.values_list("file_path")}
            for key in keys:
                if key not in kept:
                    await self._worker.storage.delete(key)
                    removed += 1
        if removed:
            logger.info("removed %s report files that no job names", removed)


async def _written_by_running_attempts(keys: list[str]) -> set[str]:
    """Of these report keys, those whose attempt is its job's current one, still RUNNING."""
    attempts = {key: named for key in keys if (named := key_attempt(key)) is not None}
    job_ids = {job_id for job_id, _ in attempts.values()}
    running = await ReportJob.filter(id__in=job_ids, status=JobStatus.RUNNING).values_list(
        "id", "attempts"
    )
    current = {(str(job_id), attempt) for job_id, attempt in running}
    return {key for key, named in attempts.items() if named in current}
