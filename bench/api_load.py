"""Figure 7, API throughput: createOrder (5 items) and reportJobs(first: 50) on one
uvicorn process under 50 concurrent clients; requests/s, p50 and p99.

Anchors, on the same server in the same run with the same clients: `{ __typename }`
(Strawberry and uvicorn's floor, with and without the session check) and the bare
Starlette route /health. The load comes from `bench.http_load` in a process of its
own; it shares the machine's cores with the server, so its CPU is printed too.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bench.harness import Figure, bench_stack, cpu_seconds_of, p50, p99
from client.graphql_client import ReportsClient
from service.processes import PROJECT_ROOT, running_api_process

CLIENTS = 50
WARMUP_SECONDS = 1.0
SEEDED_JOBS = 200
SKUS = [f"L-{index}" for index in range(5)]

REGISTER = 'mutation { register(email: "load@example.com", password: "benchmark!") { token } }'
PRODUCT = (
    'mutation($sku: String!) { upsertProduct(input: {sku: $sku, name: $sku, price: "2.50", '
    "stock: 1000000000}) { id } }"
)
REQUEST = "mutation { requestReport(input: {kind: ORDERS, format: CSV}) { id } }"
CREATE_ORDER = """
mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) {
    id status total createdAt
    items { quantity unitPrice lineTotal product { id sku name } }
  }
}
"""
ORDER_INPUT = {
    "customerName": "Load",
    "customerEmail": "load@example.com",
    "items": [{"sku": sku, "quantity": 2} for sku in SKUS],
}
# What a UI's job list shows.
REPORT_JOBS = """
query Jobs($first: Int) {
  reportJobs(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id title kind format status progress message createdAt finishedAt rowCount fileSize
      downloadUrl
    } }
  }
}
"""
TYPENAME = "{ __typename }"


@dataclass(frozen=True)
class Load:
    """What the clients send, over and over."""

    name: str
    method: str
    path: str
    body: str = ""
    token: str | None = None

    @classmethod
    def graphql(cls, name: str, query: str, variables: dict[str, Any], token: str | None) -> Load:
        return cls(
            name, "POST", "/graphql", json.dumps({"query": query, "variables": variables}), token
        )


@dataclass(frozen=True)
class LoadResult:
    name: str
    per_second: float
    latencies_ms: list[float]
    errors: int
    server_cpu_ms_per_request: float
    generator_cpu_percent: float

    def line(self) -> str:
        return (
            f"{self.name}: {self.per_second:,.1f}/s, p50 {p50(self.latencies_ms):.2f} ms, "
            f"p99 {p99(self.latencies_ms):.2f} ms, {self.errors} errors, server CPU "
            f"{self.server_cpu_ms_per_request:.2f} ms/request, generator CPU "
            f"{self.generator_cpu_percent:.0f} % of a core"
        )


async def apply_load(url: str, server_pid: int, load: Load, seconds: float) -> LoadResult:
    address = urlsplit(url)
    headers = {"Content-Type": "application/json"} if load.body else {}
    if load.token:
        headers["Authorization"] = f"Bearer {load.token}"
    start_at = time.time() + 1.0  # the generator has started and connected by then
    spec = {
        "host": address.hostname,
        "port": address.port,
        "method": load.method,
        "path": load.path,
        "headers": headers,
        "body": load.body,
        "clients": CLIENTS,
        "start_at": start_at,
        "warmup": WARMUP_SECONDS,
        "seconds": seconds,
    }
    generator = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.http_load",
        json.dumps(spec),
        stdout=asyncio.subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    await asyncio.sleep(max(0.0, start_at + WARMUP_SECONDS - time.time()))
    with cpu_seconds_of(server_pid) as server_cpu:
        await asyncio.sleep(seconds)
    output, _ = await generator.communicate()
    report = json.loads(output)
    latencies: list[float] = report["latencies_ms"]
    if report["errors"]:
        print(f"{load.name}: {report['errors']} errors, first: {report['first_error']}")
    return LoadResult(
        name=load.name,
        per_second=len(latencies) / seconds,
        latencies_ms=latencies,
        errors=report["errors"],
        server_cpu_ms_per_request=server_cpu[0] * 1000 / max(1, len(latencies)),
        generator_cpu_percent=report["cpu_seconds"] / seconds * 100,
    )


async def _seed(url: str, database_url: str) -> str:
    """An account with 5 products and SEEDED_JOBS report jobs in a mix of states; its token."""
    async with ReportsClient(url) as client:
        client.token = (await client.execute(REGISTER))["register"]["token"]
        for sku in SKUS:
            await client.execute(PRODUCT, {"sku": sku})
        gate = asyncio.Semaphore(10)

        async def request() -> str:
            async with gate:
                job_id: str = (await client.execute(REQUEST))["requestReport"]["id"]
                return job_id

        ids = await asyncio.gather(*(request() for _ in range(SEEDED_JOBS)))
    # No worker runs here: move three jobs in four on as if one had, so that the list
    # holds finished jobs with download links, failures and jobs in progress.
    now = datetime.now(UTC)
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "UPDATE report_job SET status = 'COMPLETED', progress = 100, message = 'Done', "
            "started_at = $2, finished_at = $2, row_count = 120, file_size = 5400, "
            "file_path = 'bench.csv', expires_at = $3 WHERE id = ANY($1::uuid[])",
            ids[0::4],
            now,
            now + timedelta(days=1),
        )
        await connection.execute(
            "UPDATE report_job SET status = 'FAILED', message = 'Failed', "
            "error = 'The report could not be built', finished_at = $2 "
            "WHERE id = ANY($1::uuid[])",
            ids[1::4],
            now,
        )
        await connection.execute(
            "UPDATE report_job SET status = 'RUNNING', progress = 40, message = 'Rendering', "
            "started_at = $2 WHERE id = ANY($1::uuid[])",
            ids[2::4],
            now,
        )
    finally:
        await connection.close()
    return str(client.token)


async def measure(seconds: float) -> list[Figure]:
    async with bench_stack("api") as settings:
        with running_api_process(settings) as (url, api):
            token = await _seed(url, settings.database_url)
            loads = [
                Load("bare Starlette /health", "GET", "/health"),
                Load.graphql("{ __typename }", TYPENAME, {}, None),
                Load.graphql("{ __typename } signed in", TYPENAME, {}, token),
                Load.graphql("createOrder (5 items)", CREATE_ORDER, {"input": ORDER_INPUT}, token),
                Load.graphql("reportJobs(first: 50)", REPORT_JOBS, {"first": 50}, token),
            ]
            results = {}
            for load in loads:
                results[load.name] = result = await apply_load(url, api.pid, load, seconds)
                print(result.line(), flush=True)
    health = results["bare Starlette /health"]
    floor = results["{ __typename }"]
    signed_in = results["{ __typename } signed in"]
    figures = [
        Figure(
            "{ __typename } queries/s, 50 clients",
            floor.per_second,
            "req/s",
            "bare Starlette /health",
            health.per_second,
            "anchor only",
        ),
        Figure(
            "{ __typename } signed in, queries/s",
            signed_in.per_second,
            "req/s",
            "{ __typename } anonymous",
            floor.per_second,
            "anchor only",
        ),
    ]
    for name in ("createOrder (5 items)", "reportJobs(first: 50)"):
        result = results[name]
        figures += [
            Figure(
                f"{name} per second, 50 clients",
                result.per_second,
                "req/s",
                "{ __typename } anonymous",
                floor.per_second,
                "—",
            ),
            Figure(
                f"{name} p50",
                p50(result.latencies_ms),
                "ms",
                "{ __typename } anonymous p50",
                p50(floor.latencies_ms),
                "—",
            ),
            Figure(
                f"{name} p99",
                p99(result.latencies_ms),
                "ms",
                "{ __typename } anonymous p99",
                p99(floor.latencies_ms),
                "—",
            ),
        ]
    return figures


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(measure(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)))
