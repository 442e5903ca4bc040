"""Worker heartbeats, and taking back at once the jobs of a worker whose heart stopped.

Every run of a worker beats (models/worker_heartbeats.py) every
WORKER_HEARTBEAT_TIMEOUT_SECONDS / 6 and, on the same beat, looks for RUNNING
jobs held by runs silent for longer than the timeout: a killed worker's job is
PENDING again within the timeout and a beat, and some free worker starts it.
Any live worker does this, so a new or restarted worker does not have to wait
for anything but its own first beat.

A silence only counts while this process has itself reached the database for
longer than the timeout (workers/database_uptime.py): after a database outage
every heartbeat is stale, and live workers get a timeout to beat again.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Subquery

from models.failures import is_connection_failure
from models.metrics import TakeBackReason
from models.report_jobs import JobStatus, ReportJob
from models.worker_heartbeats import WorkerHeartbeat, fresh_heartbeats, this_host
from workers.context import WorkerContext
from workers.database_uptime import DatabaseUptime
from workers.take_back import take_back

logger = logging.getLogger(__name__)

# Runs silent for this long are forgotten: their jobs were taken back long before.
FORGET_AFTER = timedelta(hours=1)
TAKE_BACK_BATCH = 500


class Heartbeat:
    def __init__(self, worker: WorkerContext, uptime: DatabaseUptime) -> None:
        self._worker = worker
        self._settings = worker.settings
        self._uptime = uptime
        self._started_at = datetime.now(UTC)

    async def beat(self) -> None:
        """Say this run is alive; the first beat must land before the run takes a job."""
        now = datetime.now(UTC)
        if not await WorkerHeartbeat.filter(id=self._worker.worker_id).update(beat_at=now):
            # The first beat, or the row was forgotten while this process was paused.
            await WorkerHeartbeat.create(
                id=self._worker.worker_id,
                host=this_host(),
                pid=os.getpid(),
                queue=self._settings.queue_name,
                started_at=self._started_at,
                beat_at=now,
            )
        self._uptime.reached()

    async def run_forever(self) -> None:
        while True:
            try:
                await self.beat()
                if self._uptime.up_for() > self._settings.worker_heartbeat_timeout_seconds:
                    await self.take_back_from_dead_workers()
            except Exception as exc:
                if is_connection_failure(exc):
                    self._uptime.lost()
                    logger.warning("heartbeat: the database is unreachable (%s)", exc)
                else:
                    logger.exception("heartbeat failed")
            await asyncio.sleep(self._settings.heartbeat_interval_seconds)

    async def take_back_from_dead_workers(self) -> None:
        fresh = fresh_heartbeats(self._settings.worker_heartbeat_timeout_seconds)
        orphans = (
            await ReportJob.filter(status=JobStatus.RUNNING, worker_id__isnull=False)
            .exclude(worker_id__in=Subquery(fresh.values("id")))
            .limit(TAKE_BACK_BATCH)
        )
        for job in orphans:
            await take_back(
                self._worker, job, {"worker_id": job.worker_id}, TakeBackReason.WORKER_LOST
            )

    async def leave(self) -> None:
        """Sign off on a clean stop: any job still held is taken back at the next beat."""
        try:
            await WorkerHeartbeat.filter(id=self._worker.worker_id).delete()
        except Exception as exc:
            if not is_connection_failure(exc):
                raise
            logger.warning("heartbeat: could not sign off (%s)", exc)


async def forget_dead_workers() -> int:
    """Delete the heartbeats of runs long gone; how many."""
    return await WorkerHeartbeat.filter(beat_at__lt=datetime.now(UTC) - FORGET_AFTER).delete()
