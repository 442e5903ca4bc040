"""Stacks of their own (database, queue, channels, files) and the processes that serve them."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from client.graphql_client import ReportsClient
from models.settings import Settings
from service.processes import running_api, running_worker
from tests.support.clients import register

# The `stack` fixture: `await stack(name, **overrides)` gives a stack's settings.
StackFactory = Callable[..., Awaitable[Settings]]
# The `signed_in_client` fixture: `await signed_in_client(base_url or settings)`.
SignedInClientFactory = Callable[[str | Settings], Awaitable[ReportsClient]]


def fast_recovery(**overrides: Any) -> dict[str, Any]:
    """Settings for a stack whose faults are noticed and mended within seconds."""
    return {
        "lease_seconds": 3.0,
        "sweep_interval_seconds": 0.5,
        "pending_grace_seconds": 1.0,
        "retry_base_delay_seconds": 0.3,
        "cleanup_interval_seconds": 0.5,
        "read_chunk_rows": 20,
        "progress_interval_seconds": 0.05,
        **overrides,
    }


@contextlib.asynccontextmanager
async def signed_in(lab: Settings, *, workers: int = 1) -> AsyncIterator[ReportsClient]:
    """A real API and `workers` real workers on the stack, and a client of a new account."""
    with running_api(lab) as url, contextlib.ExitStack() as processes:
        for _ in range(workers):
            processes.enter_context(running_worker(lab))
        async with ReportsClient(url) as client:
            await register(client)
            yield client


async def clock_stack(
    stack: StackFactory,
    name: str,
    *,
    reads: datetime,
    in_seconds: float,
    rate: float,
    **overrides: Any,
) -> Settings:
    """A stack whose clock reads `reads` `in_seconds` from now and runs `rate` times as
    fast as the wall clock; its workers tick every 0.1 s."""
    return await stack(
        name,
        test_clock_start=reads.isoformat(),
        test_clock_anchor=time.time() + in_seconds,
        test_clock_rate=rate,
        schedule_tick_seconds=0.1,
        **overrides,
    )
