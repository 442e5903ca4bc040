"""A dead worker is noticed in seconds: its heartbeat stops and any live worker takes its
job back, with the default settings, whatever Redis is doing. A worker that was only
paused loses its job without running it twice to completion.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import redis.asyncio as aioredis

from client.graphql_client import ReportsClient
from models.redis_keys import arq_in_progress_key
from models.report_jobs import JobStatus
from models.settings import Settings
from models.worker_heartbeats import run_pid
from service.embedded_redis import EmbeddedRedis, free_port
from service.processes import running_worker
from tests.support.factories import request_report, seed_line_items
from tests.support.files import report_files, temp_files
from tests.support.metrics import scrape, value
from tests.support.stacks import SignedInClientFactory, StackFactory, signed_in
from tests.support.streams import Stream, watching
from tests.support.waiting import (
    JobState,
    eventually,
    job,
    progress_at_least,
    status_is,
    wait_for_job,
)
from workers.queue import attempt_job_id
from workers.worker import ARQ_TIMEOUT_MARGIN_SECONDS

# What the issue promises with default settings.
BACK_WITHIN_SECONDS = 5.0
COMPLETED_WITHIN_SECONDS = 10.0
# 600 rows in 30 chunks of 0.1 s: a report that takes about 3 s to build. Nothing that
# notices a dead worker is changed from its default.
THREE_SECOND_REPORT: dict[str, Any] = {"read_chunk_rows": 20, "fault_chunk_delay_seconds": 0.1}
ROWS = 600


def attempt_running(attempt: int) -> JobState:
    return JobState(
        f"attempt {attempt} RUNNING",
        lambda job: job["status"] == "RUNNING" and job["attempts"] == attempt,
    )


async def holding(settings: Settings, job_id: str) -> tuple[int, str, int]:
    """The process id of the worker run that last started the job, its status and
    attempt, as the database has them now."""
    connection = await asyncpg.connect(settings.database_url)
    try:
        row = await connection.fetchrow(
            "SELECT worker_id, status, attempts FROM report_job WHERE id = $1", job_id
        )
    finally:
        await connection.close()
    return run_pid(row["worker_id"]), row["status"], row["attempts"]


async def holder_pid(settings: Settings, job_id: str) -> int:
    return (await holding(settings, job_id))[0]


def assert_defaults(lab: Settings) -> None:
    defaults = Settings()
    for name in ("worker_heartbeat_timeout_seconds", "lease_seconds", "sweep_interval_seconds"):
        assert getattr(lab, name) == getattr(defaults, name), name


Worker = subprocess.Popen[bytes]


@dataclass(frozen=True)
class TwoWorkers:
    processes: tuple[Worker, Worker]
    # Each one's METRICS_PORT, by process id.
    metrics_ports: dict[int, int]

    def holder_and_other(self, pid: int) -> tuple[Worker, Worker]:
        (holder,) = [w for w in self.processes if w.pid == pid]
        (other,) = [w for w in self.processes if w.pid != pid]
        return holder, other

    def taken_back_by(self, worker: Worker, reason: str) -> float:
        samples = scrape(f"http://127.0.0.1:{self.metrics_ports[worker.pid]}/metrics")
        return value(samples, "reports_jobs_taken_back_total", reason=reason)


@contextlib.contextmanager
def two_workers(lab: Settings) -> Iterator[TwoWorkers]:
    """Two workers, each serving its metrics on a port of its own."""
    first_port, second_port = free_port(), free_port()
    with (
        running_worker(replace(lab, metrics_port=first_port)) as first,
        running_worker(replace(lab, metrics_port=second_port)) as second,
    ):
        yield TwoWorkers((first, second), {first.pid: first_port, second.pid: second_port})


@dataclass(frozen=True)
class HeldJob:
    """A slow report a tenth built, the worker building it, and the other one."""

    job_id: str
    watched: Stream
    workers: TwoWorkers
    holder: Worker
    other: Worker


@contextlib.asynccontextmanager
async def a_slow_job_held(lab: Settings, client: ReportsClient) -> AsyncIterator[HeldJob]:
    await seed_line_items(client, ROWS)
    with two_workers(lab) as workers:
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            await watched.wait_for_job(requested["id"], progress_at_least(10))
            holder, other = workers.holder_and_other(await holder_pid(lab, requested["id"]))
            yield HeldJob(requested["id"], watched, workers, holder, other)


async def test_a_killed_worker_s_job_runs_elsewhere_within_5_s_and_completes_within_10(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("heart-kill", **THREE_SECOND_REPORT)
    assert_defaults(lab)
    async with a_slow_job_held(lab, await signed_in_client(lab)) as held:
        job_id, watched, survivor = held.job_id, held.watched, held.other
        # The whole process group, render pool included, as a container's kill.
        os.killpg(held.holder.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        await watched.wait_for_job(job_id, attempt_running(2), timeout=30)
        back_in = time.monotonic() - killed_at
        done = await watched.wait_for_job(job_id, status_is(JobStatus.COMPLETED), timeout=30)
        completed_in = time.monotonic() - killed_at
        assert await holder_pid(lab, job_id) == survivor.pid
        assert held.workers.taken_back_by(survivor, "worker_lost") == 1
        assert held.workers.taken_back_by(survivor, "lease_lapsed") == 0
    print(f"\nkill -9 -> RUNNING elsewhere {back_in:.2f} s, -> COMPLETED {completed_in:.2f} s")
    assert back_in < BACK_WITHIN_SECONDS
    assert completed_in < COMPLETED_WITHIN_SECONDS
    assert (done["attempts"], done["rowCount"]) == (2, ROWS)
    assert len(report_files(lab, job_id)) == 1
    assert [e["status"] for e in watched.of(job_id)].count("COMPLETED") == 1


async def test_a_paused_worker_that_resumes_loses_its_job_and_leaves_one_file(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("heart-pause", **THREE_SECOND_REPORT)
    client = await signed_in_client(lab)
    async with a_slow_job_held(lab, client) as held:
        job_id, watched, paused = held.job_id, held.watched, held.holder
        os.killpg(paused.pid, signal.SIGSTOP)
        try:
            await watched.wait_for_job(job_id, attempt_running(2), timeout=30)
        finally:
            # Resumed while the new attempt runs: the old one wakes up mid-report.
            os.killpg(paused.pid, signal.SIGCONT)
        done = await watched.wait_for_job(job_id, status_is(JobStatus.COMPLETED), timeout=30)
        # The resumed attempt finds out at its next checkpoint and cleans up.
        await eventually(lambda: temp_files(lab), lambda left: not left, what="no temp file left")
        await asyncio.sleep(1)
        events = watched.of(job_id)
        assert paused.poll() is None, "a paused worker is slow, not dead: it carries on"
    final = await job(client, job_id)
    assert (done["attempts"], done["rowCount"]) == (2, ROWS)
    assert final["status"] == "COMPLETED" and final["version"] == done["version"]
    assert [e["status"] for e in events].count("COMPLETED") == 1
    taken_over = next(i for i, e in enumerate(events) if e["attempts"] == 2)
    assert all(e["attempts"] == 2 for e in events[taken_over:]), "the late attempt wrote nothing"
    assert len(report_files(lab, job_id)) == 1


@contextlib.asynccontextmanager
async def redis_blips(
    server: EmbeddedRedis, every: float, down_for: float
) -> AsyncIterator[list[float]]:
    """Redis drops every client and answers nothing for `down_for` s, every `every` s,
    keeping its data (as a failover or a network blip would); yields the blips' times."""
    admin = aioredis.Redis.from_url(server.url)
    blips: list[float] = []

    async def blip_forever() -> None:
        while True:
            await asyncio.sleep(every - down_for)
            blips.append(time.monotonic())
            await admin.execute_command("CLIENT", "PAUSE", int(down_for * 1000), "ALL")
            await admin.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
            await asyncio.sleep(down_for)

    task = asyncio.create_task(blip_forever())
    try:
        yield blips
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await admin.execute_command("CLIENT", "UNPAUSE")
        await admin.aclose()


async def test_a_dead_worker_s_job_is_back_within_5_s_while_redis_blips(
    stack: StackFactory, private_redis: EmbeddedRedis
) -> None:
    lab = await stack("heart-blips", **THREE_SECOND_REPORT, redis_url=private_redis.url)
    assert_defaults(lab)
    async with signed_in(lab, workers=0) as client:
        await seed_line_items(client, ROWS)
        with two_workers(lab) as workers:
            async with redis_blips(private_redis, every=3.0, down_for=1.0) as blips:
                # Every worker has been through restarts before the job even starts.
                await eventually(lambda: len(blips), lambda n: n >= 2, what="two blips")
                requested = await request_report(client, kind="ORDERS", format="CSV")
                job_id = requested["id"]
                # Polled over HTTP, which needs only PostgreSQL: Redis is often away.
                await eventually(
                    lambda: job(client, job_id),
                    lambda j: j["status"] == "RUNNING" and j["progress"] > 0,
                    what="the job running",
                    timeout=60,
                )
                pid, _, attempt = await holding(lab, job_id)
                doomed, _ = workers.holder_and_other(pid)
                os.killpg(doomed.pid, signal.SIGKILL)
                killed_at = time.monotonic()
                assert (await holding(lab, job_id))[1:] == ("RUNNING", attempt), "held when killed"
                back = await eventually(
                    lambda: job(client, job_id),
                    lambda j: j["status"] == "RUNNING" and j["attempts"] > attempt,
                    what="the job running again",
                    timeout=30,
                )
                back_in = time.monotonic() - killed_at
                seen = [round(t - killed_at, 1) for t in blips]
    print(f"\nkill -9 -> RUNNING elsewhere {back_in:.2f} s with Redis blips at {seen} s")
    assert back_in < BACK_WITHIN_SECONDS
    assert back["attempts"] > attempt


async def test_a_job_taken_from_the_queue_by_a_worker_that_died_before_starting_it_runs(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    """arq marks a job it hands a worker as in progress for the whole job timeout (11
    minutes by default); a worker killed between taking it and starting it left it
    PENDING and out of every other worker's reach for that long."""
    lab = await stack("heart-untaken")
    client = await signed_in_client(lab)
    requested = await request_report(client, kind="ORDERS", format="CSV")
    # What the dead worker left: arq's mark on the job's attempt, for the job timeout.
    redis = aioredis.Redis.from_url(lab.redis_url)
    try:
        timeout_ms = (lab.job_time_limit_seconds + ARQ_TIMEOUT_MARGIN_SECONDS) * 1000
        await redis.psetex(
            arq_in_progress_key(attempt_job_id(requested["id"], requested["version"])),
            timeout_ms,
            b"1",
        )
    finally:
        await redis.aclose()
    with running_worker(lab):
        started = time.monotonic()
        done = await wait_for_job(client, requested["id"], timeout=60)
        ran_in = time.monotonic() - started
    print(
        f"\na job a dead worker took from the queue completed {ran_in:.1f} s after a worker started"
    )
    assert (done["status"], done["attempts"]) == ("COMPLETED", 1)
