"""Schedules and delivery: occurrence -> RUNNING, and COMPLETED -> webhook arrival.

A schedule every minute on a test clock running 20 times as fast (an occurrence
every 3 s), ticked by one worker with the default settings (it ticks every
SCHEDULE_TICK_SECONDS, and sleeps only until an occurrence due sooner); then
one-off jobs delivering to a webhook receiver in this process, beside a plain
POST to the same receiver.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx

from bench.harness import Figure, bench_stack, p50, p99
from client.graphql_client import ReportsClient
from models.clock import Clock
from models.settings import Settings
from service.processes import running_api, running_worker

REGISTER = 'mutation { register(email: "cron@example.com", password: "benchmark!") { token } }'
SCHEDULE = """
mutation { createReportSchedule(input: {name: "Every minute", kind: SALES, format: CSV,
  cron: "* * * * *"}) { id } }
"""
RUNS = """
query($id: ID!) { reportSchedule(id: $id) { runs(first: 500) {
  edges { node { scheduledFor job { startedAt } } } } } }
"""
REQUEST = """
mutation($url: String!) { requestReport(input: {kind: SALES, format: CSV,
  deliverTo: [{webhookUrl: $url}]}) { id } }
"""
JOB = "query($id: ID!) { reportJob(id: $id) { finishedAt deliveries { status } } }"
CLOCK_RATE = 20.0


class Receiver:
    """Takes webhooks on 127.0.0.1 and notes when each arrived whole."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.port = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0])
        body = await reader.readexactly(length)
        self.arrivals[body.decode()] = time.time()
        writer.write(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()


async def occurrence_to_running(occurrences: int) -> list[float]:
    """Milliseconds from each occurrence (on the wall clock) to its job's startedAt."""
    async with bench_stack(
        "schedules",
        test_clock_start=datetime(2026, 6, 1, 12, tzinfo=UTC).isoformat(),
        test_clock_anchor=time.time(),
        test_clock_rate=CLOCK_RATE,
    ) as settings:
        clock = Clock(settings)
        with running_api(settings) as url, running_worker(settings):
            async with ReportsClient(url) as client:
                client.token = (await client.execute(REGISTER))["register"]["token"]
                schedule = (await client.execute(SCHEDULE))["createReportSchedule"]["id"]
                await asyncio.sleep((occurrences + 1) * 60 / CLOCK_RATE)
                runs = (await client.execute(RUNS, {"id": schedule}))["reportSchedule"]["runs"]
    waits = []
    for edge in runs["edges"]:
        started = edge["node"]["job"]["startedAt"]
        if started is None:
            continue
        occurred = clock.wall_time_of(datetime.fromisoformat(edge["node"]["scheduledFor"]))
        waits.append((datetime.fromisoformat(started).timestamp() - occurred) * 1000)
    return waits[:occurrences]


async def completed_to_webhook(jobs: int) -> tuple[list[float], list[float]]:
    """Milliseconds from each job's finishedAt to its webhook's arrival, and of a plain
    POST to the same receiver (the anchor)."""
    receiver = Receiver()
    server = await asyncio.start_server(receiver.serve, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    hook = f"http://127.0.0.1:{receiver.port}/hook"
    try:
        async with bench_stack("webhooks") as settings:
            with running_api(settings) as url, running_worker(settings):
                async with ReportsClient(url) as client:
                    client.token = (await client.execute(REGISTER))["register"]["token"]
                    ids = [
                        (await client.execute(REQUEST, {"url": hook}))["requestReport"]["id"]
                        for _ in range(jobs)
                    ]
                    deadline = time.time() + 60
                    while len(receiver.arrivals) < jobs and time.time() < deadline:
                        await asyncio.sleep(0.1)
                    finished = {
                        job_id: (await client.execute(JOB, {"id": job_id}))["reportJob"][
                            "finishedAt"
                        ]
                        for job_id in ids
                    }
        waits = []
        for body, arrived in receiver.arrivals.items():
            job_id = body.split('"id":"', 1)[1].split('"', 1)[0]
            waits.append((arrived - datetime.fromisoformat(finished[job_id]).timestamp()) * 1000)
        posts = []
        async with httpx.AsyncClient(trust_env=False) as http:
            for index in range(jobs):
                sent = time.time()
                await http.post(hook, content=f'{{"id":"anchor-{index}"}}')
                posts.append((time.time() - sent) * 1000)
    finally:
        server.close()
        await server.wait_closed()
    return waits, posts


async def measure(occurrences: int, jobs: int) -> list[Figure]:
    starts = await occurrence_to_running(occurrences)
    # What a scheduler that only ticks would make it wait on average.
    tick_wait = 1000 * Settings().schedule_tick_seconds / 2
    webhooks, posts = await completed_to_webhook(jobs)
    return [
        Figure(
            "schedule: occurrence → RUNNING p50",
            p50(starts),
            "ms",
            "ticking only: SCHEDULE_TICK_SECONDS / 2",
            tick_wait,
            "≤ 1 tick",
        ),
        Figure(
            "schedule: occurrence → RUNNING p99",
            p99(starts),
            "ms",
            "ticking only: SCHEDULE_TICK_SECONDS / 2",
            tick_wait,
            "≤ 1 tick",
        ),
        Figure(
            "webhook: COMPLETED → arrival p50",
            p50(webhooks),
            "ms",
            "a plain POST to the same receiver p50",
            p50(posts),
            "—",
        ),
        Figure(
            "webhook: COMPLETED → arrival p99",
            p99(webhooks),
            "ms",
            "a plain POST to the same receiver p99",
            p99(posts),
            "—",
        ),
    ]
