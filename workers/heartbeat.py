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

Taking back runs beside the beats, never in their way: a Redis that hangs an
enqueue, or a slow pass, must not silence this worker in turn.
"""

from __future__ import annotations

import asyncio
import logging

from models.failures import is_connection_failure
from models.metrics import TakeBackReason
from models.report_jobs import JobStatus, ReportJob
from models.worker_heartbeats import live_runs, record_beat, sign_off
from workers.context import WorkerContext
from workers.database_uptime import DatabaseUptime
from workers.take_back import take_back

logger = logging.getLogger(__name__)

TAKE_BACK_BATCH = 500


class Heartbeat:
    def __init__(self, worker: WorkerContext, uptime: DatabaseUptime) -> None:
        self._worker = worker
        self._settings = worker.settings
        self._uptime = uptime

    async def beat(self) -> None:
        """Say this run is alive; the first beat must land before the run takes a job."""
        await record_beat(self._worker.worker_id, self._settings.queue_name)
        self._uptime.reached()

    async def run_forever(self) -> None:
        taking_back: asyncio.Task[None] | None = None
        try:
            while True:
                try:
                    await self.beat()
                except Exception as exc:
                    if not is_connection_failure(exc):
                        logger.exception("heartbeat failed")
                    else:
                        self._uptime.lost()
                        logger.warning("heartbeat: the database is unreachable (%s)", exc)
                else:
                    judging = (
                        self._uptime.up_for() > self._settings.worker_heartbeat_timeout_seconds
                    )
                    if judging and (taking_back is None or taking_back.done()):
                        taking_back = asyncio.create_task(
                            self._take_back_quietly(), name="take-back"
                        )
                await asyncio.sleep(self._settings.heartbeat_interval_seconds)
        finally:
            if taking_back is not None:
                taking_back.cancel()

    async def _take_back_quietly(self) -> None:
        try:
            await self.take_back_from_dead_workers()
        except Exception as exc:
            if not is_connection_failure(exc):
                logger.exception("taking back dead workers' jobs failed")
            else:
                logger.warning("taking back dead workers' jobs: a service is unreachable (%s)", exc)

    async def take_back_from_dead_workers(self) -> None:
        live = await live_runs(self._settings.worker_heartbeat_timeout_seconds)
        orphans = (
            await ReportJob.filter(status=JobStatus.RUNNING, worker_id__isnull=False)
            .exclude(worker_id__in=live)
            .limit(TAKE_BACK_BATCH)
        )
        for job in orphans:
            await take_back(
                self._worker, job, {"worker_id": job.worker_id}, TakeBackReason.WORKER_LOST
            )

    async def leave(self) -> None:
        """Sign off on a clean stop: any job still held is taken back at the next beat."""
        try:
            await sign_off(self._worker.worker_id)
        except Exception as exc:
            if not is_connection_failure(exc):
                raise
            logger.warning("heartbeat: could not sign off (%s)", exc)
