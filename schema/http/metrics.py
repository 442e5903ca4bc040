"""GET /metrics: Prometheus text, this process's counts (or every API process's) and the
service's facts read from PostgreSQL at the moment of the scrape.

The facts (queue depth by priority, jobs running, workers alive) are the same
from every replica: a dashboard takes max() across replicas, not sum(). They
cost three indexed counts. When the database does not answer within
SCRAPE_TIMEOUT_SECONDS they are left out and `reports_database_up` says 0; the
rest is served all the same, so a scrape never fails because PostgreSQL did.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from models import metrics
from models.failures import is_connection_failure
from models.job_counts import jobs_running, queue_depth
from models.settings import METRICS_DIRECTORY_VARIABLE
from models.worker_heartbeats import count_live_workers
from schema.services import Services

logger = logging.getLogger(__name__)

# Well inside Prometheus's default scrape timeout (10 s).
SCRAPE_TIMEOUT_SECONDS = 2.0
# prometheus_client names a process's gauge files gauge_<mode>_<pid>.db.
_LIVE_GAUGE_PREFIX = "gauge_live"


async def serve_metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    facts = await _service_facts(services)
    body = await asyncio.to_thread(_exposition, facts)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


async def _service_facts(services: Services) -> list[Metric]:
    database_up = GaugeMetricFamily(metrics.DATABASE_UP, metrics.DATABASE_UP_HELP)
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_SECONDS):
            depth = await queue_depth(datetime.now(UTC))
            running = await jobs_running()
            workers = await count_live_workers(
                services.settings.worker_heartbeat_timeout_seconds, services.settings.queue_name
            )
    except Exception as exc:
        # Whatever went wrong (an outage, a migration not applied yet), the process's own
        # metrics are still served. Logged at the scrape interval: a line every scrape
        # while PostgreSQL is away says how long it was away.
        if is_connection_failure(exc) or isinstance(exc, TimeoutError):
            logger.warning("metrics: the service's facts could not be read (%r)", exc)
        else:
            logger.exception("metrics: the service's facts could not be read")
        database_up.add_metric([], 0)
        return [database_up]
    database_up.add_metric([], 1)
    depth_family = GaugeMetricFamily(
        metrics.QUEUE_DEPTH, metrics.QUEUE_DEPTH_HELP, labels=["priority"]
    )
    for priority, count in depth.items():
        depth_family.add_metric([priority.value], count)
    return [
        database_up,
        depth_family,
        GaugeMetricFamily(metrics.JOBS_RUNNING, metrics.JOBS_RUNNING_HELP, value=running),
        GaugeMetricFamily(metrics.WORKERS_ALIVE, metrics.WORKERS_ALIVE_HELP, value=workers),
    ]


class _Facts(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)


def _exposition(facts: list[Metric]) -> bytes:
    """The text of one scrape (reads the multiprocess files: off the event loop)."""
    registry = CollectorRegistry()
    # Set (by `reports api --workers N`), the processes behind this port keep their counts
    # in files there, and any of them sums them all.
    directory = os.environ.get(METRICS_DIRECTORY_VARIABLE)
    if directory:
        _forget_dead_processes(directory)
        MultiProcessCollector(registry, directory)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    registry.register(_Facts(facts))
    return generate_latest(registry)


def _forget_dead_processes(directory: str) -> None:
    """Drop the live gauges of API processes that died (uvicorn starts another): their
    last values would be summed for ever. Their counters stay, as totals must."""
    pids: set[int] = set()
    for entry in os.scandir(directory):
        if entry.name.startswith(_LIVE_GAUGE_PREFIX) and entry.name.endswith(".db"):
            pid = entry.name.removesuffix(".db").rsplit("_", 1)[-1]
            if pid.isdigit():
                pids.add(int(pid))
    for dead in pids:
        if not _alive(dead):
            mark_process_dead(dead, directory)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
