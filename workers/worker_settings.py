"""arq WorkerSettings, built from our settings; resources open on start-up, never at import."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from arq import func

from models.database import close_database, open_database
from models.job_events import JobEventPublisher
from models.settings import Settings, get_settings
from workers.queue import GENERATE_REPORT_TASK, redis_settings
from workers.renderers.base import RenderResources
from workers.tasks import generate_report

logger = logging.getLogger(__name__)


async def on_startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    ctx["settings"] = settings
    await open_database(settings.database_url)
    ctx["publisher"] = JobEventPublisher(ctx["redis"], settings.channel_prefix)
    # Spawned, not forked: a fork would copy this process's open sockets.
    ctx["render_resources"] = RenderResources(
        pdf_max_rows=settings.pdf_max_rows,
        cpu_pool=ProcessPoolExecutor(
            max_workers=os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")
        ),
    )
    logger.info("worker ready on queue %s", settings.queue_name)


async def on_shutdown(ctx: dict[str, Any]) -> None:
    resources: RenderResources | None = ctx.get("render_resources")
    if resources is not None:
        resources.cpu_pool.shutdown(wait=True, cancel_futures=True)
    await close_database()


def build_worker_settings(settings: Settings) -> type:
    """The class arq reads its configuration from (`arq workers.WorkerSettings`)."""
    return type(
        "WorkerSettings",
        (),
        {
            "functions": [
                func(
                    generate_report,
                    name=GENERATE_REPORT_TASK,
                    timeout=settings.job_timeout_seconds,
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
        },
    )
