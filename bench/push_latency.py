"""Figure 1, push latency: a worker commits a job change -> a subscriber process receives it.

Anchor: raw Redis pub/sub publish -> receive, in the same run.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime

from redis.asyncio import Redis

from bench.harness import Figure, bench_stack, p50, p99
from client.graphql_client import ReportsClient
from models.database import close_database, open_database
from models.job_events import JobEventPublisher
from models.job_transitions import transition_job
from models.report_jobs import JobStatus
from service.processes import PROJECT_ROOT, running_api

POLLING_INTERVAL_SECONDS = 2.0
REGISTER = 'mutation { register(email: "bench@example.com", password: "benchmark!") { token } }'
REQUEST = "mutation { requestReport(input: {kind: SALES, format: CSV}) { id } }"


async def raw_pubsub_latencies(redis_url: str, count: int) -> list[float]:
    publisher, subscriber = Redis.from_url(redis_url), Redis.from_url(redis_url)
    latencies: list[float] = []
    async with subscriber.pubsub() as pubsub:
        await pubsub.subscribe("bench:anchor")
        await pubsub.get_message(timeout=1)
        for _ in range(count):
            sent = time.perf_counter()
            await publisher.publish("bench:anchor", b"x" * 600)
            while (await pubsub.get_message(timeout=1)) is None:
                pass
            latencies.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(0.002)
    await publisher.aclose()
    await subscriber.aclose()
    return latencies


async def measure(events: int) -> list[Figure]:
    async with bench_stack("push") as settings:
        anchor = await raw_pubsub_latencies(settings.redis_url, events)
        with running_api(settings) as url:
            async with ReportsClient(url) as client:
                client.token = (await client.execute(REGISTER))["register"]["token"]
                job_id = (await client.execute(REQUEST))["requestReport"]["id"]
            listener = subprocess.Popen(
                [sys.executable, "-m", "bench.ws_listener", url, str(client.token), job_id],
                stdout=subprocess.PIPE,
                text=True,
                cwd=PROJECT_ROOT,
            )
            assert listener.stdout is not None
            listener.stdout.readline()  # the current state: subscribed
            await open_database(settings.database_url)
            redis = Redis.from_url(settings.redis_url)
            publisher = JobEventPublisher(redis, settings.channel_prefix)
            committed: dict[int, float] = {}
            try:
                for index in range(events + 2):
                    target = JobStatus.RUNNING if index <= events else JobStatus.COMPLETED
                    before = datetime.now(UTC).timestamp()
                    # Only from a waiting or running job, as a worker moves it: a
                    # transition to COMPLETED must say it does not start from COMPLETED.
                    snapshot = await transition_job(
                        publisher,
                        job_id,
                        target,
                        only_from={JobStatus.PENDING, JobStatus.RUNNING},
                        message=f"step {index}",
                    )
                    assert snapshot is not None
                    committed[snapshot.version] = before
                    await asyncio.sleep(0.004)
                output, _ = await asyncio.to_thread(listener.communicate, timeout=30)
            finally:
                await redis.aclose()
                await close_database()
    received = {int(v): float(t) for v, t in (line.split() for line in output.splitlines())}
    latencies = [(received[v] - committed[v]) * 1000 for v in committed if v in received]
    assert len(latencies) == len(committed), "every change arrived"
    return [
        Figure(
            "push p50 (commit → WS client)",
            p50(latencies),
            "ms",
            "raw pub/sub p50",
            p50(anchor),
            "—",
        ),
        Figure(
            "push p99 (commit → WS client)",
            p99(latencies),
            "ms",
            "raw pub/sub p99",
            p99(anchor),
            "≤ anchor p99 + 10 ms",
        ),
        Figure(
            "polling every 2 s (mean wait)",
            POLLING_INTERVAL_SECONDS / 2 * 1000,
            "ms",
            "push p50",
            p50(latencies),
            "contrast only",
        ),
    ]
