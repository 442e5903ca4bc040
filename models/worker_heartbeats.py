"""Worker heartbeats, in the database beside the jobs they vouch for.

Each run of a worker process (a restart after a Redis outage is a new run) has
an id of its own and beats every fraction of a second; a RUNNING job names the
run holding it (ReportJob.worker_id). A run not heard from for
WORKER_HEARTBEAT_TIMEOUT_SECONDS is dead, and any live worker takes its jobs
back at once (workers/heartbeat.py).

On PostgreSQL a beat is stamped, and judged, by the database's clock: machines
whose clocks disagree, or a beat that waited for a pooled connection, cannot
make a live worker look dead. SQLite (`reports dev`, one machine) uses this
process's clock.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from tortoise import connections, fields
from tortoise.models import Model

from models.database import CONNECTION

# Runs silent for this long are forgotten: their jobs were taken back long before.
FORGET_AFTER = timedelta(hours=1)


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


def run_pid(run_id: str) -> int:
    """The process id a run id (new_run_id's) names."""
    return int(run_id.rsplit(":", 2)[1])


def _on_postgres() -> bool:
    return bool(connections.get(CONNECTION).capabilities.dialect == "postgres")


async def record_beat(run_id: str, queue: str) -> None:
    """This run is alive now (its row is made by its first beat)."""
    if _on_postgres():
        await connections.get(CONNECTION).execute_query(
            "INSERT INTO worker_heartbeat (id, host, pid, queue, started_at, beat_at) "
            "VALUES ($1, $2, $3, $4, now(), now()) "
            "ON CONFLICT (id) DO UPDATE SET beat_at = now()",
            [run_id, this_host(), os.getpid(), queue],
        )
        return
    now = datetime.now(UTC)
    if not await WorkerHeartbeat.filter(id=run_id).update(beat_at=now):
        await WorkerHeartbeat.create(
            id=run_id, host=this_host(), pid=os.getpid(), queue=queue, started_at=now, beat_at=now
        )


async def live_runs(
    timeout_seconds: float, queue: str | None = None, *, host: str | None = None
) -> list[str]:
    """The runs heard from within `timeout_seconds`, of `queue` and on `host` if given."""
    if _on_postgres():
        conditions = ["beat_at >= now() - make_interval(secs => $1)"]
        values: list[Any] = [timeout_seconds]
        for column, value in (("queue", queue), ("host", host)):
            if value is not None:
                values.append(value)
                conditions.append(f"{column} = ${len(values)}")
        _, rows = await connections.get(CONNECTION).execute_query(
            f"SELECT id FROM worker_heartbeat WHERE {' AND '.join(conditions)}", values
        )
        return [row["id"] for row in rows]
    live = WorkerHeartbeat.filter(
        beat_at__gte=datetime.now(UTC) - timedelta(seconds=timeout_seconds)
    )
    if queue is not None:
        live = live.filter(queue=queue)
    if host is not None:
        live = live.filter(host=host)
    return [str(run) for run in await live.values_list("id", flat=True)]


async def count_live_workers(
    timeout_seconds: float, queue: str | None = None, *, host: str | None = None
) -> int:
    return len(await live_runs(timeout_seconds, queue, host=host))


async def forget_dead_workers() -> int:
    """Delete the heartbeats of runs long gone; how many."""
    return await WorkerHeartbeat.filter(beat_at__lt=datetime.now(UTC) - FORGET_AFTER).delete()


async def sign_off(run_id: str) -> None:
    await WorkerHeartbeat.filter(id=run_id).delete()
