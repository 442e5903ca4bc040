"""Data the tests build through the API, as a user would, plus a clock for completedAt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from client.graphql_client import ReportsClient
from models.orders import MAX_ORDER_ITEMS, Order
from tests.support.documents import (
    COMPLETE_ORDER,
    CREATE_ORDER,
    CREATE_SCHEDULE,
    REQUEST_REPORT,
    UPSERT_PRODUCT,
)


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


async def seed_line_items(client: ReportsClient, count: int) -> None:
    """`count` completed line items, in orders as large as the API takes."""
    await add_product(client, "BULK-1", "Bulk item", "1.50", stock=count)
    remaining = count
    while remaining:
        size = min(remaining, MAX_ORDER_ITEMS)
        order = await create_order(client, "Bulk buyer", "bulk@example.com", [("BULK-1", 1)] * size)
        await client.execute(COMPLETE_ORDER, {"id": order["id"]})
        remaining -= size


async def request_report(client: ReportsClient, **fields: Any) -> dict[str, Any]:
    data = await client.execute(REQUEST_REPORT, {"input": fields})
    job: dict[str, Any] = data["requestReport"]
    return job


async def create_schedule(client: ReportsClient, **fields: Any) -> dict[str, Any]:
    """A schedule made through the API: a SALES CSV unless `fields` say otherwise."""
    data = await client.execute(
        CREATE_SCHEDULE, {"input": {"kind": "SALES", "format": "CSV", **fields}}
    )
    schedule: dict[str, Any] = data["createReportSchedule"]
    return schedule
