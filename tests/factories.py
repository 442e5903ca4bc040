"""Data the tests build through the API, as a user would, plus a clock for completedAt."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from client.graphql_client import ReportsClient
from models.orders import Order
from tests.documents import COMPLETE_ORDER, CREATE_ORDER, REPORT_JOB, REQUEST_REPORT, UPSERT_PRODUCT

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


async def add_product(
    client: ReportsClient, sku: str, name: str, price: str, stock: int = 1000
) -> dict[str, Any]:
    data = await client.execute(
        UPSERT_PRODUCT, {"input": {"sku": sku, "name": name, "price": price, "stock": stock}}
    )
    product: dict[str, Any] = data["upsertProduct"]
    return product


async def create_order(
    client: ReportsClient, name: str, email: str, items: list[tuple[str, int]]
) -> dict[str, Any]:
    data = await client.execute(
        CREATE_ORDER,
        {
            "input": {
                "customerName": name,
                "customerEmail": email,
                "items": [{"sku": sku, "quantity": quantity} for sku, quantity in items],
            }
        },
    )
    order: dict[str, Any] = data["createOrder"]
    return order


async def completed_order(
    client: ReportsClient,
    name: str,
    email: str,
    items: list[tuple[str, int]],
    completed_at: datetime | None = None,
) -> dict[str, Any]:
    """An order completed through the API; `completed_at` backdates it (the clock)."""
    order = await create_order(client, name, email, items)
    data = await client.execute(COMPLETE_ORDER, {"id": order["id"]})
    if completed_at is not None:
        await Order.filter(id=order["id"]).update(completed_at=completed_at)
    completed: dict[str, Any] = data["completeOrder"]
    return completed


async def request_report(client: ReportsClient, **fields: Any) -> dict[str, Any]:
    data = await client.execute(REQUEST_REPORT, {"input": fields})
    job: dict[str, Any] = data["requestReport"]
    return job


async def wait_for_job(client: ReportsClient, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """The job once it is terminal, watched as a client would (polling reportJob)."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = (await client.execute(REPORT_JOB, {"id": job_id}))["reportJob"]
        if job["status"] in TERMINAL:
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {job['status']} after {timeout}s")
        await asyncio.sleep(0.05)
