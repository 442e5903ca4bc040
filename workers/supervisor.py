"""Keeps a worker process serving through Redis outages.

arq's worker stops at the first Redis error. Jobs are safe in PostgreSQL, so
the right answer to an outage is to wait for Redis and carry on: each run gets
a fresh event loop, and whatever the failed run left behind (its background
tasks, its database connections) is cancelled and closed before the next. The
PDF render pool belongs to the process, not to a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

from redis.exceptions import RedisError

from models.database import close_database
from models.settings import Settings
from workers.loop_lag import record_loop_lag
from workers.render_pool import open_render_pool
from workers.worker import ReportWorker

logger = logging.getLogger(__name__)

RESTART_DELAY_SECONDS = 1.0


def run_worker_forever(settings: Settings) -> None:
    """Run the worker until it is told to stop (SIGTERM, SIGINT)."""
    # One render pool for the process's life: a failed run cannot leak it.
    with open_render_pool(settings.pdf_render_processes) as cpu_pool:
        while True:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            # Held here, as the loop keeps only weak references to its tasks.
            diagnostics: list[asyncio.Task[None]] = []
            if settings.loop_lag_file:
                # arq runs on this loop; _close_loop cancels the recorder with the rest.
                lag_file = Path(settings.loop_lag_file)
                diagnostics.append(loop.create_task(record_loop_lag(lag_file)))
            try:
                ReportWorker(settings, cpu_pool).run()
                return
            except (RedisError, OSError) as exc:
                logger.warning(
                    "worker lost Redis (%s); starting again in %s s", exc, RESTART_DELAY_SECONDS
                )
            finally:
                _close_loop(loop)
            time.sleep(RESTART_DELAY_SECONDS)


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    leftovers = asyncio.all_tasks(loop)
    for task in leftovers:
        task.cancel()
    with contextlib.suppress(Exception):
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(close_database())
    loop.close()
