"""Worker heartbeats, in PostgreSQL beside the jobs they vouch for.

Each run of a worker process (a restart after a Redis outage is a new run) has
an id of its own and beats every fraction of a second; a RUNNING job names the
run holding it (ReportJob.worker_id). A run not heard from for
WORKER_HEARTBEAT_TIMEOUT_SECONDS is dead, and any live worker takes its jobs
back at once (workers/heartbeat.py). Beats live in the database, not in Redis,
so a Redis outage neither silences them nor, when it ends, makes every worker
look dead.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet


class WorkerHeartbeat(Model):
    # host:pid:run, unique per run of a worker process.
    id = fields.CharField(max_length=120, primary_key=True)
    host = fields.CharField(max_length=64)
    pid = fields.IntField()
    queue = fields.CharField(max_length=200)
    started_at = fields.DatetimeField()
    beat_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "worker_heartbeat"


def this_host() -> str:
    """The host name a worker records, and `reports worker --check` looks for."""
    return socket.gethostname()[:64]


def new_run_id() -> str:
    return f"{this_host()}:{os.getpid()}:{uuid4().hex[:8]}"


def fresh_heartbeats(timeout_seconds: float) -> QuerySet[WorkerHeartbeat]:
    """The runs heard from within `timeout_seconds`: the live workers."""
    return WorkerHeartbeat.filter(
        beat_at__gte=datetime.now(UTC) - timedelta(seconds=timeout_seconds)
    )


async def count_live_workers(
    timeout_seconds: float, queue: str | None = None, *, host: str | None = None
) -> int:
    """Workers heard from within `timeout_seconds`, of `queue` and on `host` if given."""
    live = fresh_heartbeats(timeout_seconds)
    if queue is not None:
        live = live.filter(queue=queue)
    if host is not None:
        live = live.filter(host=host)
    return await live.count()
