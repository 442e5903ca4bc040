"""Figures 3 and 4: request -> RUNNING (start latency), and small reports per second."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import threading
import time
from contextlib import ExitStack

from bench import arq_anchor, celery_anchor
from bench.harness import Figure, bench_stack, cpu_seconds_of, p50, p99, profiled
from client.graphql_client import ReportsClient
from service.processes import PROJECT_ROOT, running_api, running_api_process, running_worker

REGISTER = 'mutation { register(email: "flow@example.com", password: "benchmark!") { token } }'
PRODUCT = (
    'mutation { upsertProduct(input: {sku: "B-1", name: "Bench", price: "1.00", '
    "stock: 1000000}) { id } }"
)
ORDER = (
    'mutation { createOrder(input: {customerName: "B", customerEmail: "b@example.com", '
    'items: [{sku: "B-1", quantity: 1}]}) { id } }'
)
COMPLETE = "mutation($id: ID!) { completeOrder(id: $id) { id } }"
REQUEST = "mutation { requestReport(input: {kind: ORDERS, format: CSV}) { id } }"
CONCURRENT_REQUESTS = 50


class EventLog:
    """A reportJobs subscriber in a process of its own; its `id status time` lines are
    collected by a thread as they arrive."""

    def __init__(self, base_url: str, token: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.jobs_listener", base_url, token],
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        assert self._process.stdout is not None
        self._process.stdout.readline()  # "ready"
        self.seen: dict[tuple[str, str], float] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            job_id, status, at = line.split()
            self.seen.setdefault((job_id, status), float(at))

    async def wait_for(self, ids: list[str], status: str, timeout: float) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline and not all((j, status) in self.seen for j in ids):
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


async def _shop(client: ReportsClient) -> None:
    client.token = (await client.execute(REGISTER))["register"]["token"]
    await client.execute(PRODUCT)
    for _ in range(10):
        order = (await client.execute(ORDER))["createOrder"]["id"]
        await client.execute(COMPLETE, {"id": order})


async def _request_many(client: ReportsClient, jobs: int) -> list[str]:
    gate = asyncio.Semaphore(CONCURRENT_REQUESTS)

    async def request() -> str:
        async with gate:
            data = await client.execute(REQUEST)
            job_id: str = data["requestReport"]["id"]
            return job_id

    return list(await asyncio.gather(*(request() for _ in range(jobs))))


async def start_latency(requests: int) -> list[Figure]:
    async with bench_stack("start") as settings:
        with running_api(settings) as url, running_worker(settings) as worker:
            async with ReportsClient(url) as client:
                await _shop(client)
                await asyncio.sleep(1)
                with cpu_seconds_of(worker.pid) as idle_cpu:
                    await asyncio.sleep(5)
                log = EventLog(url, str(client.token))
                sent: dict[str, float] = {}
                chance = random.Random(5)
                for _ in range(requests):
                    before = time.time()
                    job_id = (await client.execute(REQUEST))["requestReport"]["id"]
                    sent[job_id] = before
                    await asyncio.sleep(chance.uniform(0.01, 0.1))
                await log.wait_for(list(sent), "RUNNING", timeout=30)
                log.stop()
    seen = log.seen
    waits = [(seen[(j, "RUNNING")] - t) * 1000 for j, t in sent.items() if (j, "RUNNING") in seen]
    anchor = await arq_anchor.start_waits_ms(0.5, min(requests, 100))
    celery = await celery_anchor.start_waits_ms(min(requests, 100))
    idle_percent = idle_cpu[0] / 5 * 100
    return [
        Figure(
            "start p50 (request → RUNNING seen)",
            p50(waits),
            "ms",
            "arq default polling p50",
            p50(anchor),
            "≤ 10 ms",
        ),
        Figure(
            "start p99 (request → RUNNING seen)",
            p99(waits),
            "ms",
            "arq default polling p99",
            p99(anchor),
            "≤ 25 ms",
        ),
        Figure(
            "start p50 (request → RUNNING seen)",
            p50(waits),
            "ms",
            "Celery prefork: send → task start p50",
            p50(celery),
            "contrast",
        ),
        Figure(
            "start p99 (request → RUNNING seen)",
            p99(waits),
            "ms",
            "Celery prefork: send → task start p99",
            p99(celery),
            "contrast",
        ),
        Figure("worker idle CPU", idle_percent, "% of a core", "—", 0.0, "not burning a core"),
    ]


async def throughput(jobs: int) -> list[Figure]:
    figures = []
    for workers in (1, 2):
        async with bench_stack(f"throughput{workers}") as settings:
            with running_api_process(settings) as (url, api), ExitStack() as stack:
                worker_pids = [
                    stack.enter_context(running_worker(settings)).pid for _ in range(workers)
                ]
                async with ReportsClient(url) as client:
                    await _shop(client)
                    log = EventLog(url, str(client.token))
                    started = time.time()
                    with ExitStack() as profiles:
                        profiles.enter_context(profiled(api.pid, f"throughput{workers}-api"))
                        for index, pid in enumerate(worker_pids):
                            profiles.enter_context(
                                profiled(pid, f"throughput{workers}-worker{index}")
                            )
                        # Requested by many clients at once, so that the request rate is
                        # not what is measured.
                        ids = await _request_many(client, jobs)
                        await log.wait_for(ids, "COMPLETED", timeout=300)
                    log.stop()
        seen = log.seen
        finished = [seen[(j, "COMPLETED")] for j in ids if (j, "COMPLETED") in seen]
        rate = len(finished) / (max(finished) - started) if finished else 0.0
        anchor = await arq_anchor.noop_jobs_per_second(
            settings.worker_poll_delay_seconds, settings.worker_max_jobs, 1000
        )
        figures.append(
            Figure(
                f"small ORDERS CSV reports/s, {workers} worker(s)",
                rate,
                "jobs/s",
                "bare arq no-op jobs/s (1 worker)",
                anchor,
                "1 worker ≥ 0.30× anchor",
            )
        )
    return figures
