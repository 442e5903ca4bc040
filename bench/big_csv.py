"""Figure 5, a big ORDERS CSV: wall time, the worker's peak memory, progress events; and
the same report written to S3-compatible storage (moto's server), its peak memory
beside the local disk's.

Anchor: asyncpg's copy_from_query of the same SELECT into a file, in the same run.

python -m bench.big_csv [ROWS]   # on its own, 100,000 rows unless told
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from bench.harness import Figure, bench_stack, print_table
from bench.rss import PeakRss, tree_rss_bytes
from client.graphql_client import ReportsClient
from models.orders import OrderStatus
from service.processes import running_api, running_worker
from tests.support.object_storage import moto_server, new_bucket, s3_client, s3_settings
from workers.reports.orders import OrdersReport
from workers.reports.scope import ReportScope

REGISTER = (
    'mutation { register(email: "big@example.com", password: "benchmark!") { token user { id } } }'
)
REQUEST = "mutation { requestReport(input: {kind: ORDERS, format: CSV}) { id } }"
WATCH = "subscription { reportJobs { id status progress startedAt finishedAt rowCount } }"
ITEMS_PER_ORDER = 5
PRODUCTS = 100
MB = 1024 * 1024
GOAL = "≤ 1.5× anchor"
# For contrast: what the same number of rows costs with no join, order or formatting.
BARE_TABLE = "SELECT * FROM order_item"


async def seed(database_url: str, account_id: UUID, rows: int) -> None:
    """`rows` line items of completed orders (5 each), written by PostgreSQL itself."""
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO product (id, account_id, sku, name, price, stock, created_at, updated_at)"
            " SELECT gen_random_uuid(), $1, 'SKU-' || lpad(n::text, 3, '0'), 'Product ' || n,"
            " n % 50 + 0.99, 0, now(), now() FROM generate_series(1, $2::int) AS n",
            account_id,
            PRODUCTS,
        )
        # Times with and without a fraction of a second, as real ones come.
        await connection.execute(
            "INSERT INTO customer_order (id, account_id, customer_name, customer_email, status,"
            " total, created_at, completed_at) SELECT gen_random_uuid(), $1, 'Customer ' || n,"
            " 'customer' || n || '@example.com', $2, 0, now(), timestamptz '2026-01-01'"
            " + n * interval '1 minute' + n % 7 * interval '123457 microseconds'"
            " FROM generate_series(1, $3::int) AS n",
            account_id,
            OrderStatus.COMPLETED.value,
            rows // ITEMS_PER_ORDER,
        )
        await connection.execute(
            "WITH catalogue AS (SELECT array_agg(id ORDER BY sku) AS ids,"
            " array_agg(price ORDER BY sku) AS prices FROM product WHERE account_id = $1),"
            " numbered AS (SELECT id, row_number() OVER () AS n FROM customer_order"
            " WHERE account_id = $1)"
            " INSERT INTO order_item (order_id, product_id, quantity, unit_price, line_total)"
            " SELECT o.id, c.ids[p], 1 + k % 3, c.prices[p], c.prices[p] * (1 + k % 3)"
            " FROM numbered o CROSS JOIN catalogue c"
            " CROSS JOIN generate_series(0, $3::int - 1) AS k"
            " CROSS JOIN LATERAL (SELECT 1 + (o.n * $3 + k) % $2 AS p) AS pick",
            account_id,
            PRODUCTS,
            ITEMS_PER_ORDER,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def copy_seconds(database_url: str, query: str, args: tuple[Any, ...], output: Path) -> float:
    """Seconds for asyncpg to COPY a query's rows into a file."""
    connection = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        await connection.copy_from_query(query, *args, output=output, format="csv")
        return time.perf_counter() - started
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def watching(client: ReportsClient) -> AsyncIterator[list[tuple[float, dict[str, Any]]]]:
    """Every change to the account's jobs, with the time it arrived, while inside."""
    seen: list[tuple[float, dict[str, Any]]] = []

    async def listen() -> None:
        async for event in client.subscribe(WATCH):
            seen.append((time.perf_counter(), event["reportJobs"]))

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.5)  # connected and subscribed by now, on loopback
    try:
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_for_completion(seen: list[tuple[float, dict[str, Any]]], job_id: str) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        for _, job in seen:
            if job["id"] == job_id and job["status"] in {"COMPLETED", "FAILED", "CANCELLED"}:
                if job["status"] != "COMPLETED":
                    raise RuntimeError(f"the report ended {job['status']}")
                return
        await asyncio.sleep(0.02)
    raise TimeoutError("the report did not finish in 10 minutes")


def _seconds_between(started_at: str, finished_at: str) -> float:
    return (
        datetime.fromisoformat(finished_at) - datetime.fromisoformat(started_at)
    ).total_seconds()


@dataclass(frozen=True, slots=True)
class Run:
    """One big CSV built by a real worker: what it took and what it held."""

    wall: float
    worker_side: float
    peak_rss: int
    idle_rss: int
    progress_events: int
    anchor: float
    bare: float


async def build_once(rows: int, name: str, **overrides: Any) -> Run:
    """A stack of its own (with `overrides`), seeded with `rows` line items; one report."""
    async with bench_stack(name, **overrides) as settings:
        with running_api(settings) as url, running_worker(settings) as worker:
            async with ReportsClient(url) as client:
                registered = (await client.execute(REGISTER))["register"]
                client.token = registered["token"]
                account_id = UUID(registered["user"]["id"])
                await seed(settings.database_url, account_id, rows)
                idle_rss = tree_rss_bytes(worker.pid)
                async with watching(client) as seen:
                    with PeakRss(worker.pid) as peak:
                        requested = time.perf_counter()
                        job_id = (await client.execute(REQUEST))["requestReport"]["id"]
                        await wait_for_completion(seen, job_id)
            # The report's own SELECT (joins, order, formatting), without a header.
            plan = OrdersReport(ReportScope(account_id), 1).copy_plan()
            output = settings.reports_dir / "anchor.csv"
            anchor = await copy_seconds(settings.database_url, plan.rows_sql, plan.args, output)
            bare = await copy_seconds(settings.database_url, BARE_TABLE, (), output)
    events = [(at, job) for at, job in seen if job["id"] == job_id]
    completed_at, completed = events[-1]
    if completed["rowCount"] != rows:
        raise RuntimeError(f"the report has {completed['rowCount']} rows, not {rows}")
    return Run(
        wall=completed_at - requested,
        worker_side=_seconds_between(completed["startedAt"], completed["finishedAt"]),
        peak_rss=peak.bytes,
        idle_rss=idle_rss,
        progress_events=sum(1 for _, job in events if job["status"] == "RUNNING"),
        anchor=anchor,
        bare=bare,
    )


async def build_on_s3(rows: int) -> Run:
    """The same report written to S3-compatible storage (moto's server, on loopback), in
    parts of the default size."""
    with moto_server() as endpoint:
        async with s3_client(endpoint) as client:
            bucket = await new_bucket(client)
        return await build_once(rows, "bigcsv_s3", **s3_settings(endpoint, bucket))


async def measure(rows: int) -> list[Figure]:
    local = await build_once(rows, "bigcsv")
    on_s3 = await build_on_s3(rows)
    wall, worker_side, anchor, bare = local.wall, local.worker_side, local.anchor, local.bare
    idle_rss, progress_events = local.idle_rss, local.progress_events
    name = f"ORDERS CSV, {rows:,} rows"
    anchor_name = "asyncpg COPY of the same SELECT to a file"
    return [
        Figure(
            f"{name}: request → COMPLETED seen", wall, "s", anchor_name, anchor, "≤ 1.5× anchor"
        ),
        Figure(f"{name}: worker RUNNING → COMPLETED", worker_side, "s", anchor_name, anchor, "—"),
        Figure(
            f"{name}: the anchor's SELECT, COPY to a file",
            anchor,
            "s",
            "COPY of the bare order_item table",
            bare,
            "contrast only",
        ),
        Figure(
            f"{name}: worker peak RSS",
            local.peak_rss / MB,
            "MB",
            "worker RSS before the job",
            idle_rss / MB,
            "≤ 150 MB",
        ),
        Figure(
            f"{name}: worker peak RSS, file on S3",
            on_s3.peak_rss / MB,
            "MB",
            "worker peak RSS, file on local disk",
            local.peak_rss / MB,
            "≤ 150 MB",
        ),
        Figure(
            f"{name}: request → COMPLETED seen, file on S3",
            on_s3.wall,
            "s",
            "the same, file on local disk",
            wall,
            "contrast only",
        ),
        Figure(
            f"{name}: progress events (RUNNING) received",
            progress_events,
            "events",
            "—",
            0.0,
            "10 to a few hundred",
        ),
    ]


if __name__ == "__main__":
    print_table(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
