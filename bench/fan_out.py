"""Figure 2, fan-out: one job event to N subscriptions held by ONE API process.

The subscribers live in separate load-generator processes (bench.fan_out_clients).
Anchor: one Redis pub/sub connection feeding N asyncio queues in one process,
the floor for any pub/sub fan-out in Python, measured in the same run.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis

from bench.fan_out_clients import raise_file_limit
from bench.harness import Figure, bench_stack, p50, p99, profiled
from bench.rss import tree_rss_bytes
from client.graphql_client import ReportsClient
from models.database import close_database, open_database
from models.job_events import JobEventPublisher
from models.job_transitions import transition_job
from models.report_jobs import JobStatus
from service.processes import PROJECT_ROOT, running_api_process

REGISTER = 'mutation { register(email: "fan@example.com", password: "benchmark!") { token } }'
REQUEST = "mutation { requestReport(input: {kind: SALES, format: CSV}) { id } }"
SUBSCRIBERS_PER_PROCESS = 2500
EVENTS = 5
REDIS_PORT_HEX = ":18EB"


def rss_kb(pid: int) -> int:
    return tree_rss_bytes(pid) // 1024


def redis_connections_of(pid: int, redis_addresses: Sequence[str]) -> int:
    """How many of CLIENT LIST's connections belong to process `pid` (matched by port)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = fd.readlink().name if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    local_ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes and fields[2].endswith(REDIS_PORT_HEX):
            local_ports.add(int(fields[1].split(":")[1], 16))
    return sum(1 for address in redis_addresses if int(address.rsplit(":", 1)[1]) in local_ports)


async def queues_anchor_ms(redis_url: str, subscribers: int) -> float:
    """One publish -> every one of `subscribers` asyncio tasks has it, via one connection."""
    publisher, subscriber = Redis.from_url(redis_url), Redis.from_url(redis_url)
    queues: list[asyncio.Queue[float]] = [asyncio.Queue() for _ in range(subscribers)]
    arrivals: list[float] = []

    async def consume(queue: asyncio.Queue[float]) -> None:
        await queue.get()
        arrivals.append(time.perf_counter())

    async with subscriber.pubsub() as pubsub:
        await pubsub.subscribe("bench:fan-out")
        await pubsub.get_message(timeout=1)
        consumers = [asyncio.create_task(consume(q)) for q in queues]
        await asyncio.sleep(0.1)
        sent = time.perf_counter()
        await publisher.publish("bench:fan-out", b"x" * 600)
        while (await pubsub.get_message(timeout=1)) is None:
            pass
        for queue in queues:
            queue.put_nowait(sent)
        await asyncio.gather(*consumers)
    await publisher.aclose()
    await subscriber.aclose()
    return (max(arrivals) - sent) * 1000


class LoadGenerators:
    def __init__(self, ws_url: str, token: str, job_id: str, subscribers: int) -> None:
        counts = [SUBSCRIBERS_PER_PROCESS] * (subscribers // SUBSCRIBERS_PER_PROCESS)
        if subscribers % SUBSCRIBERS_PER_PROCESS:
            counts.append(subscribers % SUBSCRIBERS_PER_PROCESS)
        self._processes = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.fan_out_clients", ws_url, token, job_id, str(n)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=PROJECT_ROOT,
            )
            for n in counts
        ]

    def _ask(self, command: str | None) -> list[str]:
        answers = []
        for process in self._processes:
            assert process.stdin is not None and process.stdout is not None
            if command is not None:
                process.stdin.write(command + "\n")
                process.stdin.flush()
            answers.append(process.stdout.readline().strip())
        return answers

    async def ready(self) -> None:
        answers = await asyncio.to_thread(self._ask, None)
        assert all(a == "ready" for a in answers), answers

    async def received(self) -> dict[int, list[float]]:
        merged: dict[int, list[float]] = {}
        for answer in await asyncio.to_thread(self._ask, "report"):
            for version, times in json.loads(answer).items():
                merged.setdefault(int(version), []).extend(times)
        return merged

    async def close(self) -> None:
        await asyncio.to_thread(self._ask, "close")
        for process in self._processes:
            process.wait(timeout=60)


async def _api_health(base_url: str) -> dict[str, object]:
    async with httpx.AsyncClient() as http:
        health: dict[str, object] = (await http.get(f"{base_url}/health")).json()
        return health


async def measure(subscribers: int) -> list[Figure]:
    raise_file_limit()
    async with bench_stack(f"fanout{subscribers}") as settings:
        with running_api_process(settings) as (url, api):
            async with ReportsClient(url) as client:
                client.token = (await client.execute(REGISTER))["register"]["token"]
                job_id = (await client.execute(REQUEST))["requestReport"]["id"]
            await asyncio.sleep(1)
            idle_before = rss_kb(api.pid)
            tasks_before = (await _api_health(url))["tasks"]
            generators = LoadGenerators(
                url.replace("http", "ws") + "/graphql", str(client.token), job_id, subscribers
            )
            await generators.ready()
            await asyncio.sleep(1)
            idle_loaded = rss_kb(api.pid)
            redis = Redis.from_url(settings.redis_url)
            addresses = [c["addr"] for c in await redis.client_list()]
            connections = redis_connections_of(api.pid, addresses)
            await open_database(settings.database_url)
            publisher = JobEventPublisher(redis, settings.channel_prefix)
            committed: dict[int, float] = {}
            try:
                with profiled(api.pid, f"fan-out-{subscribers}"):
                    for index in range(EVENTS):
                        before = datetime.now(UTC).timestamp()
                        snapshot = await transition_job(
                            publisher, job_id, JobStatus.RUNNING, message=f"step {index}"
                        )
                        assert snapshot is not None
                        committed[snapshot.version] = before
                        await asyncio.sleep(max(1.0, subscribers / 2000))
                peak = rss_kb(api.pid)
                received = await generators.received()
            finally:
                await close_database()
                await redis.aclose()
            await generators.close()
            await asyncio.sleep(2)
            idle_after = rss_kb(api.pid)
            health = await _api_health(url)
        anchor = await queues_anchor_ms(settings.redis_url, subscribers)
    per_client = [
        (at - committed[version]) * 1000
        for version, times in received.items()
        if version in committed
        for at in times
    ]
    everyone = [
        (max(received[version]) - committed[version]) * 1000
        for version in committed
        if len(received.get(version, [])) == subscribers
    ]
    delivered = sum(len(received.get(version, [])) for version in committed)
    n = f"{subscribers:,}"
    goal_all = "≤ 100 ms" if subscribers <= 1000 else "≤ 1,000 ms"
    print(
        f"# fan-out {n}: delivered {delivered}/{subscribers * EVENTS}; API RSS idle "
        f"{idle_before / 1024:.1f} MB, {n} subscribed {idle_loaded / 1024:.1f} MB, "
        f"peak {peak / 1024:.1f} MB, after all left {idle_after / 1024:.1f} MB; "
        f"tasks {tasks_before} before, {health['tasks']} after; "
        f"subscriptions after {health['subscriptions']}; every subscriber reached per event: "
        + ", ".join(f"{t:.0f}" for t in everyone)
        + " ms",
        flush=True,
    )
    return [
        Figure(
            f"fan-out {n}: event → every subscriber (median of {EVENTS})",
            p50(everyone) if everyone else float("nan"),
            "ms",
            f"one Redis conn → {n} asyncio queues",
            anchor,
            goal_all,
        ),
        Figure(f"fan-out {n}: per-client p50", p50(per_client), "ms", "—", 0.0, "—"),
        Figure(
            f"fan-out {n}: per-client p99",
            p99(per_client),
            "ms",
            f"one Redis conn → {n} asyncio queues",
            anchor,
            goal_all,
        ),
        Figure(
            f"fan-out {n}: API RSS per idle subscription",
            (idle_loaded - idle_before) / subscribers,
            "KB",
            "—",
            0.0,
            "≤ 50 KB",
        ),
        Figure(
            f"fan-out {n}: Redis connections held by the API",
            connections,
            "conns",
            "—",
            0.0,
            "≤ 3",
        ),
        Figure(
            f"fan-out {n}: API RSS after everyone left",
            idle_after / 1024,
            "MB",
            "API RSS before anyone came",
            idle_before / 1024,
            "≤ 1.10× anchor",
        ),
    ]
