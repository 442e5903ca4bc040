"""A killed worker's job, with the default recovery settings: kill -9 → RUNNING on the
other worker, and kill -9 → COMPLETED for an ORDERS CSV that takes about 3 s to build.

Two real workers. Once the report is 10 % done, the worker holding it (the run that
report_job.worker_id names) loses its whole process group to SIGKILL, as in a
container's kill; the other notices the silent heartbeat and takes the job back. A
fresh worker takes the dead one's place before the next kill. tests/test_dead_workers.py
makes the same measurement once, as a test. Only the report is slowed down (small chunks,
each delayed); nothing that notices a dead worker is changed.

Anchors: WORKER_HEARTBEAT_TIMEOUT_SECONDS, the silence after which a run is dead; and the
same report built without a kill.

python -m bench.worker_kill [KILLS]   # on its own, 3 kills unless told
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from bench.harness import Figure, bench_stack, p50, print_table
from client.graphql_client import ReportsClient
from models.settings import Settings
from models.worker_heartbeats import run_pid
from service.processes import running_api, running_worker

REGISTER = 'mutation { register(email: "kill@example.com", password: "benchmark!") { token } }'
PRODUCT = (
    'mutation { upsertProduct(input: {sku: "K-1", name: "Kill", price: "1.50", '
    "stock: 600}) { id } }"
)
ORDER = (
    "mutation($items: [OrderItemInput!]!) { createOrder(input: {customerName: "
    '"K", customerEmail: "k@example.com", items: $items}) { id } }'
)
COMPLETE = "mutation($id: ID!) { completeOrder(id: $id) { id } }"
REQUEST = "mutation { requestReport(input: {kind: ORDERS, format: CSV}) { id } }"
WATCH = "subscription { reportJobs { id status progress attempts rowCount } }"
# 600 rows in 30 chunks of 0.1 s: a report that takes about 3 s to build.
ROWS = 600
ORDER_ITEMS = 300  # per order, within what createOrder takes
THREE_SECOND_REPORT: dict[str, Any] = {"read_chunk_rows": 20, "fault_chunk_delay_seconds": 0.1}
KILL_AT_PERCENT = 10
EVENT_TIMEOUT_SECONDS = 60.0
ENDED = {"FAILED", "CANCELLED"}

Seen = list[tuple[float, dict[str, Any]]]


async def _shop(client: ReportsClient) -> None:
    """An account with ROWS completed line items, ordered through the API."""
    client.token = (await client.execute(REGISTER))["register"]["token"]
    await client.execute(PRODUCT)
    items = [{"sku": "K-1", "quantity": 1}] * ORDER_ITEMS
    for _ in range(ROWS // ORDER_ITEMS):
        order = (await client.execute(ORDER, {"items": items}))["createOrder"]["id"]
        await client.execute(COMPLETE, {"id": order})


@contextlib.asynccontextmanager
async def watching(client: ReportsClient, url: str) -> AsyncIterator[Seen]:
    """Every change to the account's jobs, with the time it arrived, from the moment the
    API holds the subscription."""
    seen: Seen = []

    async def listen() -> None:
        async for event in client.subscribe(WATCH):
            seen.append((time.perf_counter(), event["reportJobs"]))

    task = asyncio.create_task(listen())
    try:
        async with httpx.AsyncClient(base_url=url, trust_env=False) as http:
            while (await http.get("/health")).json()["subscriptions"] < 1:
                await asyncio.sleep(0.02)
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def first_event(
    seen: Seen, job_id: str, wanted: Callable[[dict[str, Any]], bool]
) -> tuple[float, dict[str, Any]]:
    """When the first event of `job_id` that is `wanted` arrived, and the job it carried."""
    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for at, job in seen:
            if job["id"] != job_id:
                continue
            if wanted(job):
                return at, job
            if job["status"] in ENDED:
                raise RuntimeError(f"the report ended {job['status']}")
        await asyncio.sleep(0.01)
    raise TimeoutError(f"no such event of the report in {EVENT_TIMEOUT_SECONDS:.0f} s")


async def completed(seen: Seen, job_id: str) -> float:
    """When the report's COMPLETED event arrived; an error if it lacks rows."""
    at, job = await first_event(seen, job_id, lambda job: job["status"] == "COMPLETED")
    if job["rowCount"] != ROWS:
        raise RuntimeError(f"the report has {job['rowCount']} rows, not {ROWS}")
    return at


class Workers:
    """Two live workers: a fresh one takes the place of each one killed."""

    def __init__(self, settings: Settings, exits: ExitStack, database: asyncpg.Connection) -> None:
        self._settings = settings
        self._exits = exits
        self._database = database
        self._live: dict[int, subprocess.Popen[bytes]] = {}

    async def two(self) -> None:
        started = []
        while len(self._live) < 2:
            worker = self._exits.enter_context(running_worker(self._settings))
            self._live[worker.pid] = worker
            started.append(worker.pid)
        await self._settled(started)

    async def _settled(self, pids: list[int]) -> None:
        """Wait until the new workers have beaten for the heartbeat timeout: a worker takes
        jobs back only once it has itself reached the database for that long, and a survivor
        in service has, so the figure is not a newcomer's warm-up."""
        while await self._database.fetchval(
            "SELECT count(*) FROM worker_heartbeat WHERE pid = ANY($1::int[])", pids
        ) < len(pids):
            await asyncio.sleep(0.05)
        await asyncio.sleep(self._settings.worker_heartbeat_timeout_seconds)

    def kill(self, pid: int) -> None:
        """SIGKILL the worker's process group (it leads one of its own), render pool and all."""
        os.killpg(pid, signal.SIGKILL)
        del self._live[pid]


async def holder(database: asyncpg.Connection, job_id: str) -> tuple[int, int]:
    """The process id of the worker run holding the job, and the job's attempt."""
    row = await database.fetchrow(
        "SELECT worker_id, attempts FROM report_job WHERE id = $1", job_id
    )
    return run_pid(row["worker_id"]), row["attempts"]


@dataclass(frozen=True, slots=True)
class Kill:
    """Seconds from one SIGKILL to the job seen RUNNING again, and seen COMPLETED."""

    back: float
    completed: float


async def kill_once(
    client: ReportsClient, seen: Seen, workers: Workers, database: asyncpg.Connection
) -> Kill:
    """One report whose holder is killed part way through; seconds from the kill."""
    await workers.two()
    job_id = (await client.execute(REQUEST))["requestReport"]["id"]
    await first_event(
        seen,
        job_id,
        lambda job: job["status"] == "RUNNING" and job["progress"] >= KILL_AT_PERCENT,
    )
    pid, attempt = await holder(database, job_id)
    workers.kill(pid)
    killed_at = time.perf_counter()
    # Only the other worker is alive now: any new attempt is its.
    back_at, _ = await first_event(
        seen, job_id, lambda job: job["status"] == "RUNNING" and job["attempts"] > attempt
    )
    return Kill(back_at - killed_at, await completed(seen, job_id) - killed_at)


async def build_unkilled(client: ReportsClient, seen: Seen) -> float:
    """Seconds from request to COMPLETED seen for the same report, nobody killed."""
    requested = time.perf_counter()
    job_id = (await client.execute(REQUEST))["requestReport"]["id"]
    return await completed(seen, job_id) - requested


async def measure(kills: int) -> list[Figure]:
    async with bench_stack("worker_kill", **THREE_SECOND_REPORT) as settings:
        database = await asyncpg.connect(settings.database_url)
        try:
            with running_api(settings) as url, ExitStack() as exits:
                async with ReportsClient(url) as client:
                    await _shop(client)
                    async with watching(client, url) as seen:
                        workers = Workers(settings, exits, database)
                        await workers.two()
                        unkilled = await build_unkilled(client, seen)
                        runs = [
                            await kill_once(client, seen, workers, database) for _ in range(kills)
                        ]
        finally:
            await database.close()
    timeout = settings.worker_heartbeat_timeout_seconds
    back = [run.back for run in runs]
    done = [run.completed for run in runs]
    print(
        f"# worker kill: {kills} kill(s); RUNNING elsewhere after "
        + ", ".join(f"{s:.2f}" for s in back)
        + " s; COMPLETED after "
        + ", ".join(f"{s:.2f}" for s in done)
        + f" s; the same report unkilled {unkilled:.2f} s",
        flush=True,
    )
    timeout_name = "WORKER_HEARTBEAT_TIMEOUT_SECONDS (default)"
    unkilled_name = "the same report, not killed: request → COMPLETED"
    return [
        Figure(
            "worker kill: kill → RUNNING elsewhere p50",
            p50(back),
            "s",
            timeout_name,
            timeout,
            "< 5 s",
        ),
        Figure(
            f"worker kill: kill → RUNNING elsewhere, max of {kills}",
            max(back),
            "s",
            timeout_name,
            timeout,
            "< 5 s",
        ),
        Figure(
            "worker kill: kill → COMPLETED p50 (3 s report)",
            p50(done),
            "s",
            unkilled_name,
            unkilled,
            "< 10 s",
        ),
        Figure(
            f"worker kill: kill → COMPLETED, max of {kills} (3 s report)",
            max(done),
            "s",
            unkilled_name,
            unkilled,
            "< 10 s",
        ),
    ]


if __name__ == "__main__":
    print_table(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3)))
