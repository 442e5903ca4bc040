"""Keeps a worker process serving through Redis outages, until it is told to stop.

arq's worker stops at the first Redis error. Jobs are safe in PostgreSQL, so
the right answer to an outage is to wait for Redis and carry on: each run gets
a fresh event loop, and whatever the failed run left behind (its background
tasks, its database connections) is cancelled and closed before the next. The
PDF render pool belongs to the process, not to a run.

A SIGTERM or SIGINT ends the process whatever state its run is in: a run that
fails after it (as one does when Redis is down: arq's close cannot reach it) is
not started again, and the wait before a restart happens on the next run's
loop, under its signal handlers, so a stop ends the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from redis.exceptions import RedisError

from models.database import close_database
from models.failures import is_connection_failure
from models.job_snapshots import JobSnapshot
from models.settings import Settings
from workers.database_uptime import DatabaseUptime
from workers.loop_lag import record_loop_lag
from workers.metrics_server import serve_worker_metrics
from workers.render_pool import close_render_pool, open_render_pool
from workers.worker import ReportWorker

logger = logging.getLogger(__name__)

# Short: while a run restarts, its jobs are elsewhere and it takes none.
RESTART_DELAY_SECONDS = 0.5


def run_worker_forever(settings: Settings) -> None:
    """Run the worker until it is told to stop (SIGTERM, SIGINT); MetricsPortUnavailableError
    if METRICS_PORT is taken."""
    # Once per process, before anything else: its counts outlive every run.
    serve_worker_metrics(settings.metrics_port)
    # One render pool for the process's life: a failed run cannot leak it.
    cpu_pool = open_render_pool(settings.pdf_render_processes)
    try:
        _run_until_stopped(settings, cpu_pool)
    finally:
        close_render_pool(cpu_pool)


def _run_until_stopped(settings: Settings, cpu_pool: ProcessPoolExecutor) -> None:
    restart_delay = 0.0
    # A run that lost Redis leaves the job events it could not send to the next: a
    # subscriber waiting for a job's last change must get it.
    kept_events: list[JobSnapshot] = []
    uptime = DatabaseUptime(settings.worker_heartbeat_timeout_seconds)
    while True:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        # Held here, as the loop keeps only weak references to its tasks.
        diagnostics: list[asyncio.Task[None]] = []
        if settings.loop_lag_file:
            # arq runs on this loop; _close_loop cancels the recorder with the rest.
            diagnostics.append(loop.create_task(record_loop_lag(Path(settings.loop_lag_file))))
        # The worker's signal handlers are on the loop from here on.
        worker = ReportWorker(settings, cpu_pool, uptime, kept_events)
        try:
            if restart_delay and loop.run_until_complete(
                worker.stop_signalled_within(restart_delay)
            ):
                return
            worker.run()
            return
        except Exception as exc:
            # arq's run ends at its first Redis error, and a database that does not
            # answer the run's first heartbeat ends it too; anything else is a bug.
            if not (isinstance(exc, RedisError | OSError) or is_connection_failure(exc)):
                raise
            if worker.stop_requested:
                logger.warning("worker stopping without Redis or the database (%r)", exc)
            else:
                logger.warning(
                    "worker lost Redis or the database (%s); starting again in %s s",
                    exc,
                    RESTART_DELAY_SECONDS,
                )
        finally:
            kept_events = worker.kept_events
            _close_loop(loop, worker)
        # Closing the loop runs it, so a stop may also have come just now.
        if worker.stop_requested:
            return
        restart_delay = RESTART_DELAY_SECONDS


def _close_loop(loop: asyncio.AbstractEventLoop, worker: ReportWorker) -> None:
    leftovers = asyncio.all_tasks(loop)
    for task in leftovers:
        task.cancel()
    with contextlib.suppress(Exception):
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        # Already done if the run ended cleanly; not if it failed before its shut-down.
        loop.run_until_complete(worker.close_connections())
        loop.run_until_complete(close_database())
    loop.close()
