"""The report worker: arq's Worker with our task, our start-up and shut-down, wake-ups,
and a prompt stop. `reports worker` runs it (under workers/supervisor.py); it is the
only way to start one, so every worker has wake-ups and the process's render pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from concurrent.futures import Executor
from signal import Signals
from typing import Any

import httpx
from arq import func
from arq.worker import Worker
from redis.asyncio import Redis

from models.clock import Clock
from models.database import close_database, open_database
from models.job_events import JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.settings import Settings
from models.worker_heartbeats import new_run_id
from workers.context import WORKER_CONTEXT, WorkerContext
from workers.database_uptime import DatabaseUptime
from workers.delivery.outbox import DELIVERY_TASK_TIMEOUT_SECONDS, deliver_report
from workers.delivery.sign_up_emails import send_sign_up_email
from workers.fair_share import SlotTurns
from workers.heartbeat import Heartbeat
from workers.queue import (
    DELIVER_REPORT_TASK,
    GENERATE_REPORT_TASK,
    SEND_SIGN_UP_EMAIL_TASK,
    redis_settings,
)
from workers.renderers.base import RenderResources
from workers.schedule_ticker import ScheduleTicker
from workers.storage import open_storage
from workers.sweeper import Sweeper
from workers.tasks import generate_report
from workers.wakeup import WakeOnEnqueue

logger = logging.getLogger(__name__)

# arq's own timeout is only a backstop behind the task's time limit.
ARQ_TIMEOUT_MARGIN_SECONDS = 60
# Closing after a stop signal, with every job done or handed back, takes well under
# a second; arq's Redis calls have no timeout, so a hung Redis would hold it for good.
STOP_CLOSE_SECONDS = 3.0
# Job events go on a connection of their own, not arq's (whose calls have no
# timeout): a job must not stall on a Redis that accepts and never answers. An
# event not sent in time is kept and sent again (models/job_events.py).
EVENT_REDIS_TIMEOUT_SECONDS = 1.0


class ReportWorker(Worker):
    def __init__(
        self,
        settings: Settings,
        cpu_pool: Executor,
        uptime: DatabaseUptime,
        kept_events: Iterable[JobSnapshot] = (),
    ) -> None:
        """`uptime`: the process's; `kept_events`: the events the previous run of this
        process could not send."""
        super().__init__(
            functions=[
                func(
                    generate_report,
                    name=GENERATE_REPORT_TASK,
                    timeout=settings.job_time_limit_seconds + ARQ_TIMEOUT_MARGIN_SECONDS,
                    max_tries=1,
                ),
                # Each send has its own timeout; a task cut short releases its claim.
                func(
                    deliver_report,
                    name=DELIVER_REPORT_TASK,
                    timeout=DELIVERY_TASK_TIMEOUT_SECONDS,
                    max_tries=1,
                ),
                func(send_sign_up_email, name=SEND_SIGN_UP_EMAIL_TASK, max_tries=1),
            ],
            redis_settings=redis_settings(settings),
            queue_name=settings.queue_name,
            on_startup=self._start,
            on_shutdown=self._stop,
            max_jobs=settings.worker_max_jobs,
            poll_delay=settings.worker_poll_delay_seconds,
            allow_abort_jobs=True,
            handle_signals=True,
            # SIGTERM: stop taking jobs, let running ones finish for this long,
            # then cancel them (the task hands its job back to the queue).
            job_completion_wait=max(1, round(settings.shutdown_grace_seconds)),
            # Results are ours, in PostgreSQL. arq keeping one would make it refuse
            # the sweep's re-enqueue of a job whose attempt died before it started;
            # duplicate runs are stopped by the version guard instead.
            keep_result=0,
        )
        self._settings = settings
        self._cpu_pool = cpu_pool
        self._wakeups = WakeOnEnqueue(self)
        self._uptime = uptime
        # A run of its own: a restarted run's heartbeat is not its predecessor's, so jobs
        # the predecessor could not hand back are taken back as soon as it falls silent.
        self._run_id = new_run_id()
        self._heartbeat: Heartbeat | None = None
        self._background: list[asyncio.Task[None]] = []
        self._stop_signalled = asyncio.Event()
        self._events_redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=EVENT_REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=EVENT_REDIS_TIMEOUT_SECONDS,
        )
        self._publisher = JobEventPublisher(
            self._events_redis, settings.channel_prefix, kept_events
        )

    @property
    def stop_requested(self) -> bool:
        """True once SIGTERM or SIGINT has reached this worker."""
        return self._stop_signalled.is_set()

    async def stop_signalled_within(self, seconds: float) -> bool:
        """Wait up to `seconds`, less if SIGTERM or SIGINT comes; True if one came."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_signalled.wait(), seconds)
        return self.stop_requested

    def handle_sig_wait_for_completion(self, signum: Signals) -> None:
        # arq's handler for both signals (as job_completion_wait is set). Remembered
        # for the supervisor: if this run then fails, as it does when Redis is down
        # (arq's close cannot reach it), the process must stop, not start a new run.
        self._stop_signalled.set()
        super().handle_sig_wait_for_completion(signum)

    async def _start(self, ctx: dict[str, Any]) -> None:
        settings = self._settings
        await open_database(settings.database_url)
        context = WorkerContext(
            settings=settings,
            queue=self.pool,
            publisher=self._publisher,
            render_resources=RenderResources(
                pdf_max_rows=settings.pdf_max_rows, cpu_pool=self._cpu_pool
            ),
            slot_turns=SlotTurns(),
            clock=Clock(settings),
            # No proxies from the environment and HTTP/1.1 only: webhook_sender dials
            # the address it checked, which a proxy or a shared HTTP/2 connection
            # would undo.
            http=httpx.AsyncClient(trust_env=False, follow_redirects=False),
            storage=await open_storage(settings),
            worker_id=self._run_id,
        )
        ctx[WORKER_CONTEXT] = context
        self._heartbeat = Heartbeat(context, self._uptime)
        # Before any job: a job naming a run with no heartbeat yet would look orphaned.
        await self._heartbeat.beat()
        self._background = [
            asyncio.create_task(Sweeper(context, self._uptime).run_forever(), name="sweeper"),
            asyncio.create_task(ScheduleTicker(context).run_forever(), name="schedules"),
            asyncio.create_task(self._heartbeat.run_forever(), name="heartbeat"),
            asyncio.create_task(self._wakeups.run_forever(), name="wakeups"),
            asyncio.create_task(context.publisher.resend_forever(), name="event-resends"),
        ]
        logger.info("worker %s ready on queue %s", self._run_id, settings.queue_name)

    async def _stop(self, ctx: dict[str, Any]) -> None:
        for task in self._background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            if self._heartbeat is not None:
                await self._heartbeat.leave()
        finally:
            await self.close_connections()
            await close_database()

    @property
    def kept_events(self) -> list[JobSnapshot]:
        """Job events Redis has not taken yet: the next run, if any, sends them."""
        return self._publisher.kept()

    async def close_connections(self) -> None:
        """Close what the run opened besides the database; again is harmless. The
        supervisor calls it after a run that failed before its shut-down (arq's close
        cannot reach a lost Redis, so _stop never ran)."""
        if WORKER_CONTEXT in self.ctx:
            context = WorkerContext.of(self.ctx)
            await context.http.aclose()
            await context.storage.close()
        await self._events_redis.aclose()

    async def close(self) -> None:
        if not self.stop_requested:
            await super().close()
            return
        # A TimeoutError here ends the run like a lost Redis, and the supervisor,
        # seeing the stop, ends the process; it cancels and closes what is left.
        async with asyncio.timeout(STOP_CLOSE_SECONDS):
            await super().close()

    async def _sleep_until_tasks_complete(self) -> None:
        # arq waits here, on SIGTERM, until its task list is empty, but it drops
        # finished tasks from that list only at its next poll: a worker with a long
        # poll delay that had run one job waited out the whole grace period. Wait
        # for the jobs still running instead.
        while running := [task for task in self.tasks.values() if not task.done()]:
            await asyncio.wait(running)
