"""arq WorkerSettings, built from our settings; resources open on start-up, never at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from typing import Any

from arq import func

from models.database import close_database, open_database
from models.job_events import JobEventPublisher
from models.settings import Settings
from workers.context import WorkerContext
from workers.heartbeat import beat_forever, leave, worker_identity
from workers.queue import GENERATE_REPORT_TASK, redis_settings
from workers.render_pool import open_render_pool
from workers.renderers.base import RenderResources
from workers.sweeper import Sweeper
from workers.tasks import generate_report
from workers.wakeup import ARQ_WORKER, WakeOnEnqueue

logger = logging.getLogger(__name__)

# arq's own timeout is only a backstop behind the task's time limit.
ARQ_TIMEOUT_MARGIN_SECONDS = 60

Hook = Callable[[dict[str, Any]], Awaitable[None]]


def lifecycle_hooks(settings: Settings, cpu_pool: Executor | None) -> tuple[Hook, Hook]:
    """on_startup/on_shutdown; a pool passed in outlives them (the supervisor's)."""

    async def on_startup(ctx: dict[str, Any]) -> None:
        await open_database(settings.database_url)
        ctx["own_pool"] = cpu_pool is None
        worker = WorkerContext(
            settings=settings,
            publisher=JobEventPublisher(ctx["redis"], settings.channel_prefix),
            render_resources=RenderResources(
                pdf_max_rows=settings.pdf_max_rows,
                cpu_pool=cpu_pool or open_render_pool(settings.pdf_render_processes),
            ),
        )
        identity = worker_identity()
        ctx["reports"] = worker
        ctx["identity"] = identity
        ctx["background"] = [
            asyncio.create_task(Sweeper(worker, ctx["redis"]).run_forever(), name="sweeper"),
            asyncio.create_task(
                beat_forever(ctx["redis"], settings.channel_prefix, identity), name="heartbeat"
            ),
        ]
        arq_worker = ctx.get(ARQ_WORKER)
        if arq_worker is not None:
            ctx["background"].append(
                asyncio.create_task(WakeOnEnqueue(arq_worker).run_forever(), name="wakeups")
            )
        logger.info("worker %s ready on queue %s", identity, settings.queue_name)

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        for task in ctx.get("background", []):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if "identity" in ctx:
            await leave(ctx["redis"], settings.channel_prefix, ctx["identity"])
        worker: WorkerContext | None = ctx.get("reports")
        if worker is not None and ctx["own_pool"]:
            await asyncio.to_thread(
                worker.render_resources.cpu_pool.shutdown, wait=True, cancel_futures=True
            )
        await close_database()

    return on_startup, on_shutdown


def build_worker_settings(settings: Settings, cpu_pool: Executor | None = None) -> type:
    """The class arq reads its configuration from (`arq workers.WorkerSettings`)."""
    on_startup, on_shutdown = lifecycle_hooks(settings, cpu_pool)
    return type(
        "WorkerSettings",
        (),
        {
            "functions": [
                func(
                    generate_report,
                    name=GENERATE_REPORT_TASK,
                    timeout=settings.job_time_limit_seconds + ARQ_TIMEOUT_MARGIN_SECONDS,
                    max_tries=1,
                )
            ],
            "redis_settings": redis_settings(settings),
            "queue_name": settings.queue_name,
            "on_startup": on_startup,
            "on_shutdown": on_shutdown,
            "max_jobs": settings.worker_max_jobs,
            "poll_delay": settings.worker_poll_delay_seconds,
            "allow_abort_jobs": True,
            "handle_signals": True,
            # SIGTERM: stop taking jobs, let running ones finish for this long,
            # then cancel them (the task hands its job back to the queue).
            "job_completion_wait": max(1, round(settings.shutdown_grace_seconds)),
            # Results are ours, in PostgreSQL. arq keeping one would make it refuse
            # the sweep's re-enqueue of a job whose attempt died before it started;
            # duplicate runs are stopped by the version guard instead.
            "keep_result": 0,
        },
    )
