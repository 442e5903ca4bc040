"""Celery (prefork pool, Redis broker), measured in the same run: send -> task start.

The worker runs as `celery -A bench.celery_anchor worker`; each task records when
it started in a Redis list that the benchmark reads back.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery import Celery

from bench.harness import REDIS_URL
from service.processes import PROJECT_ROOT

QUEUE = os.environ.get("CELERY_ANCHOR_QUEUE", "bench-celery")
READY_TIMEOUT_SECONDS = 30

app = Celery("bench_anchor", broker=REDIS_URL)
app.conf.update(task_ignore_result=True, worker_hijack_root_logger=False)


@app.task(name="bench.started")
def started(record: str, sent_at: float) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.rpush(record, time.time() - sent_at)
    finally:
        client.close()


@contextmanager
def celery_worker(queue: str) -> Iterator[None]:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "bench.celery_anchor", "worker"),
            *("--pool", "prefork", "--concurrency", "1", "--queues", queue),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
            *("--loglevel", "WARNING"),
        ],
        env={**os.environ, "CELERY_ANCHOR_QUEUE": queue, "BENCH_REDIS_URL": REDIS_URL},
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


async def start_waits_ms(count: int) -> list[float]:
    """Send -> start of no-op tasks, at the same random-ish intervals as arq's anchor."""
    queue = f"bench-celery-{uuid.uuid4().hex[:6]}"
    record = f"{queue}:waits"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        with celery_worker(queue):
            # The first task also tells when the worker is up; it is not counted.
            started.apply_async((record, time.time()), queue=queue)
            deadline = time.monotonic() + READY_TIMEOUT_SECONDS
            while not client.llen(record):
                if time.monotonic() > deadline:
                    raise RuntimeError("the Celery worker did not start")
                await asyncio.sleep(0.05)
            client.delete(record)
            for index in range(count):
                started.apply_async((record, time.time()), queue=queue)
                await asyncio.sleep(0.02 + (index * 7919 % 50) / 1000)
            await asyncio.sleep(0.5)
            waits = [float(w) * 1000 for w in client.lrange(record, 0, -1)]  # type: ignore[union-attr]
        client.delete(record)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
    finally:
        client.close()
    return waits
