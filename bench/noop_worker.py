"""A bare arq worker running a no-op job: the anchor for start latency and throughput.

NOOP_QUEUE=... NOOP_POLL_DELAY=0.5 NOOP_MAX_JOBS=10 arq bench.noop_worker.WorkerSettings
"""

from __future__ import annotations

import os
import time
from typing import Any

from arq.connections import RedisSettings


async def noop(ctx: dict[str, Any], enqueued_at: float) -> None:
    """Records how long the job waited before it started."""
    await ctx["redis"].rpush(f"{os.environ['NOOP_QUEUE']}:waits", time.time() - enqueued_at)


class WorkerSettings:
    functions = [noop]
    redis_settings = RedisSettings.from_dsn(
        os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    queue_name = os.environ.get("NOOP_QUEUE", "bench:noop")
    poll_delay = float(os.environ.get("NOOP_POLL_DELAY", "0.5"))
    max_jobs = int(os.environ.get("NOOP_MAX_JOBS", "10"))
    keep_result = 0
