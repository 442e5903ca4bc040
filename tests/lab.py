"""Helpers for lifecycle and fault tests: data in bulk, watching streams, files on disk."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from client.graphql_client import ReportsClient
from models.settings import Settings
from service.processes import running_api, running_worker
from tests.conftest import register
from tests.documents import COMPLETE_ORDER, REPORT_JOB, WATCH_JOBS
from tests.factories import add_product, create_order

MAX_ITEMS_PER_ORDER = 500


async def seed_line_items(client: ReportsClient, count: int) -> None:
    """`count` completed line items, in orders of up to 500 items."""
    await add_product(client, "BULK-1", "Bulk item", "1.50", stock=count)
    remaining = count
    while remaining:
        size = min(remaining, MAX_ITEMS_PER_ORDER)
        order = await create_order(client, "Bulk buyer", "bulk@example.com", [("BULK-1", 1)] * size)
        await client.execute(COMPLETE_ORDER, {"id": order["id"]})
        remaining -= size


class JobEvents:
    """Every reportJobs event of one account, collected in the background."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def of(self, job_id: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["id"] == job_id]

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if predicate(event):
                    return event
            await asyncio.sleep(0.02)
        raise TimeoutError("no such event arrived")


@contextlib.asynccontextmanager
async def signed_in(lab: Settings, *, workers: int = 1) -> AsyncIterator[ReportsClient]:
    """A real API and `workers` real workers on the stack, and a client of a new account."""
    with running_api(lab) as url, contextlib.ExitStack() as processes:
        for _ in range(workers):
            processes.enter_context(running_worker(lab))
        async with ReportsClient(url) as client:
            await register(client)
            yield client


@contextlib.asynccontextmanager
async def watching(client: ReportsClient) -> AsyncIterator[JobEvents]:
    """Collect every change to the account's jobs while inside."""
    collected = JobEvents()

    async def listen() -> None:
        async for event in client.subscribe(WATCH_JOBS):
            collected.events.append(event["reportJobs"])

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.3)
    try:
        yield collected
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def job(client: ReportsClient, job_id: str) -> dict[str, Any]:
    data: dict[str, Any] = (await client.execute(REPORT_JOB, {"id": job_id}))["reportJob"]
    return data


def report_files(settings: Settings, job_id: str) -> list[Path]:
    """The job's finished files (not temp files) in every format."""
    return [
        path
        for folder in ("csv", "pdf")
        for path in (settings.reports_dir / folder).glob(f"{job_id}.*")
        if ".part" not in path.name
    ]


def temp_files(settings: Settings) -> list[Path]:
    return [
        path
        for folder in ("csv", "pdf")
        for path in (settings.reports_dir / folder).glob("*")
        if ".part" in path.name
    ]


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
