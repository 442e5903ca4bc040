"""Completed orders written straight into PostgreSQL: 10,000 in a second, where the API
takes minutes. For benchmarks and tests that need many report rows, not the order flow."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import asyncpg

PRICE = Decimal("1.50")


def customer_name(index: int) -> str:
    """The name on order `index`, so a report's rows can be checked in order."""
    return f"Customer {index:05d}"


async def insert_completed_orders(
    database_url: str, account_id: str, count: int, first_completed_at: datetime
) -> None:
    """`count` one-item orders of one product, order i completed i seconds after the first."""
    connection = await asyncpg.connect(database_url)
    try:
        product_id = uuid.uuid4()
        now = datetime.now(first_completed_at.tzinfo)
        await connection.execute(
            "INSERT INTO product (id, account_id, sku, name, price, stock, created_at, updated_at)"
            " VALUES ($1, $2, $3, 'Seeded item', $4, $5, $6, $6)",
            product_id,
            uuid.UUID(account_id),
            f"SEED-{product_id.hex[:8]}",
            PRICE,
            count,
            now,
        )
        orders = [
            (
                uuid.uuid4(),
                uuid.UUID(account_id),
                customer_name(index),
                f"customer{index}@example.com",
                "COMPLETED",
                PRICE,
                now,
                first_completed_at + timedelta(seconds=index),
            )
            for index in range(count)
        ]
        await connection.copy_records_to_table(
            "customer_order",
            records=orders,
            columns=[
                "id",
                "account_id",
                "customer_name",
                "customer_email",
                "status",
                "total",
                "created_at",
                "completed_at",
            ],
        )
        await connection.copy_records_to_table(
            "order_item",
            records=[(order[0], product_id, 1, PRICE, PRICE) for order in orders],
            columns=["order_id", "product_id", "quantity", "unit_price", "line_total"],
        )
    finally:
        await connection.close()
