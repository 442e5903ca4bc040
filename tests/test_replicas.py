"""Several replicas on one machine, as real processes: two APIs on two ports (the second
itself two processes behind its port) and two workers, sharing PostgreSQL and Redis.

What one replica does, the others see: a subscription on API A follows a job requested
through API B and built by worker 2; a logout through API B closes the session's
socket on API A; a worker killed while the other runs on loses nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from typing import Any

import asyncpg
from websockets.asyncio.client import ClientConnection

from client.graphql_client import ReportsClient
from models.settings import Settings
from models.worker_heartbeats import run_pid
from service.processes import running_api, running_api_process, running_worker
from tests.support.clients import token_of
from tests.support.documents import LOGOUT, WATCH_JOBS
from tests.support.factories import request_report, seed_line_items
from tests.support.files import report_files
from tests.support.sockets import answer, bearer, socket, until_closed
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.waiting import eventually

# Each report takes about 2 s (400 rows in chunks of 20, 0.1 s apart): long enough to
# be running on the worker that is killed.
SLOW_REPORTS: dict[str, Any] = {"read_chunk_rows": 20, "fault_chunk_delay_seconds": 0.1}
ROWS = 400
JOBS_DURING_THE_KILL = 6
EVENT_SECONDS = 60.0


async def holders(settings: Settings) -> dict[str, tuple[str, int | None]]:
    """Each job's status and the process id of the worker run that last started it."""
    connection = await asyncpg.connect(settings.database_url)
    try:
        rows = await connection.fetch("SELECT id, status, worker_id FROM report_job")
    finally:
        await connection.close()
    return {
        str(row["id"]): (
            row["status"],
            run_pid(row["worker_id"]) if row["worker_id"] else None,
        )
        for row in rows
    }


class JobFeed:
    """The reportJobs events one socket receives, by job."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    async def subscribe(self) -> None:
        await self.ws.send(
            json.dumps({"id": "jobs", "type": "subscribe", "payload": {"query": WATCH_JOBS}})
        )

    def of(self, job_id: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["id"] == job_id]

    def completed(self, job_ids: set[str]) -> bool:
        done = {e["id"] for e in self.events if e["status"] == "COMPLETED"}
        return job_ids <= done

    async def until_completed(self, job_ids: set[str]) -> None:
        try:
            async with asyncio.timeout(EVENT_SECONDS):
                while not self.completed(job_ids):
                    message = json.loads(await self.ws.recv())
                    assert message["type"] == "next", message
                    self.events.append(message["payload"]["data"]["reportJobs"])
        except TimeoutError:
            seen = {i: [(e["status"], e["attempts"]) for e in self.of(i)] for i in job_ids}
            raise AssertionError(f"not all COMPLETED within {EVENT_SECONDS:g} s: {seen}") from None


async def test_two_apis_and_two_workers_share_jobs_sockets_and_sessions(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("replicas", **SLOW_REPORTS)
    with (
        running_api(lab) as api_a,
        running_api_process(lab, workers=2) as (api_b, _),
        running_worker(lab) as worker_2,
    ):
        through_b = await signed_in_client(api_b)
        token = token_of(through_b)
        await seed_line_items(through_b, ROWS)
        async with socket(api_a, bearer(token)) as ws:
            assert await answer(ws) == "connection_ack"
            feed = JobFeed(ws)
            await feed.subscribe()

            # Requested through B, built by worker 2 (the only one yet), seen on A.
            first = await request_report(through_b, kind="ORDERS", format="CSV")
            await feed.until_completed({first["id"]})
            assert (await holders(lab))[first["id"]] == ("COMPLETED", worker_2.pid)
            versions = [e["version"] for e in feed.of(first["id"])]
            assert versions == sorted(set(versions)), "in order, none twice"

            with running_worker(lab) as worker_1:
                async with ReportsClient(api_a, token=token) as through_a:
                    clients = [through_a, through_b]
                    jobs = [
                        await request_report(clients[n % 2], kind="ORDERS", format="CSV")
                        for n in range(JOBS_DURING_THE_KILL)
                    ]
                ids = {job["id"] for job in jobs}

                await eventually(
                    lambda: holders(lab),
                    lambda held: ("RUNNING", worker_2.pid) in held.values(),
                    what="worker 2 running one of them",
                    timeout=EVENT_SECONDS,
                )
                os.killpg(worker_2.pid, signal.SIGKILL)
                killed_at = time.monotonic()
                await feed.until_completed(ids)
                all_done_in = time.monotonic() - killed_at
                final = await holders(lab)
                survivor = worker_1.pid

            # Signed out through B: A closes the session's socket, saying why.
            await through_b.execute(LOGOUT)
            _, closed = await until_closed(ws)
    print(f"\n{JOBS_DURING_THE_KILL} jobs all COMPLETED {all_done_in:.1f} s after a worker's kill")
    assert closed is not None and closed.code == 4401
    assert closed.reason == "UNAUTHENTICATED: session revoked; sign in again"
    for job_id in ids:
        assert final[job_id] == ("COMPLETED", survivor), "finished by the worker left"
        statuses = [e["status"] for e in feed.of(job_id)]
        assert statuses.count("COMPLETED") == 1
        assert len(report_files(lab, job_id)) == 1
    assert sum("PENDING" in [e["status"] for e in feed.of(i)][1:] for i in ids) >= 1, (
        "at least one job was taken back from the killed worker"
    )
