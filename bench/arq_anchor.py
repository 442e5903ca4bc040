"""Bare arq, measured in the same run: start latency and no-op throughput."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from arq import create_pool
from arq.connections import RedisSettings

from bench.harness import REDIS_URL
from service.processes import PROJECT_ROOT


@contextmanager
def noop_worker(queue: str, poll_delay: float, max_jobs: int) -> Iterator[None]:
    env = {
        **os.environ,
        "NOOP_QUEUE": queue,
        "NOOP_POLL_DELAY": str(poll_delay),
        "NOOP_MAX_JOBS": str(max_jobs),
        "BENCH_REDIS_URL": REDIS_URL,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "arq", "bench.noop_worker.WorkerSettings"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


async def start_waits_ms(poll_delay: float, count: int) -> list[float]:
    """Enqueue -> start of no-op jobs, at random intervals."""
    queue = f"bench:noop:{uuid.uuid4().hex[:6]}"
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue)
    try:
        with noop_worker(queue, poll_delay, 10):
            for index in range(count):
                await pool.enqueue_job("noop", time.time(), _job_id=f"{queue}:{index}")
                await asyncio.sleep(0.02 + (index * 7919 % 50) / 1000)
            await asyncio.sleep(poll_delay + 0.5)
            recorded = await pool.lrange(f"{queue}:waits", 0, -1)  # type: ignore[misc]
            waits = [float(w) * 1000 for w in recorded]
        await pool.delete(f"{queue}:waits")
    finally:
        await pool.aclose()
    return waits


async def noop_jobs_per_second(poll_delay: float, max_jobs: int, count: int) -> float:
    queue = f"bench:noop:{uuid.uuid4().hex[:6]}"
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue)
    try:
        with noop_worker(queue, poll_delay, max_jobs):
            started = time.perf_counter()
            for index in range(count):
                await pool.enqueue_job("noop", time.time(), _job_id=f"{queue}:{index}")
            while await pool.llen(f"{queue}:waits") < count:  # type: ignore[misc]
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - started
        await pool.delete(f"{queue}:waits")
    finally:
        await pool.aclose()
    return count / elapsed
