"""The line items of an account's completed orders, read in keyset batches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.queryset import QuerySet

from models.keyset import keyset_batches
from models.orders import OrderItem, OrderStatus
from workers.reports.scope import ReportScope

BY_COMPLETION = ("order__completed_at", "order_id", "id")
BY_CUSTOMER = ("order__customer_email", "order__completed_at", "order_id", "id")

_VALUES = (
    "order__customer_email",
    "order__customer_name",
    "product__sku",
    "product__name",
    "quantity",
    "unit_price",
    "line_total",
)


@dataclass(frozen=True, slots=True)
class LineItem:
    order_id: Any
    completed_at: datetime
    customer_email: str
    customer_name: str
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


def completed_line_items(scope: ReportScope) -> QuerySet[OrderItem]:
    return OrderItem.filter(
        order__account_id=scope.account_id,
        order__status=OrderStatus.COMPLETED,
        **scope.completed_at_filters("order__"),
    )


async def count_completed_line_items(scope: ReportScope) -> int:
    return await completed_line_items(scope).count()


# completed_line_items() in SQL, for queries the ORM cannot write (COPY, aggregates):
# order_item `i` with its order `o`.
_SQL_BOUNDS = {"completed_at__gte": ">=", "completed_at__lt": "<"}


def completed_line_items_sql(scope: ReportScope, joins: str = "") -> tuple[str, tuple[Any, ...]]:
    """The FROM (with `joins` added) and WHERE clauses, and their arguments ($1, $2, ...)."""
    args: list[Any] = [scope.account_id, OrderStatus.COMPLETED.value]
    conditions = ["o.account_id = $1", "o.status = $2"]
    for name, bound in scope.completed_at_filters().items():
        args.append(bound)
        conditions.append(f"o.completed_at {_SQL_BOUNDS[name]} ${len(args)}")
    sql = (
        f"FROM order_item i JOIN customer_order o ON o.id = i.order_id {joins} "
        f"WHERE {' AND '.join(conditions)}"
    )
    return sql, tuple(args)


async def stream_completed_line_items(
    scope: ReportScope, order_by: Sequence[str], batch_size: int
) -> AsyncIterator[list[LineItem]]:
    """Batches of line items in `order_by` order (BY_COMPLETION or BY_CUSTOMER)."""
    value_fields = [*order_by, *(f for f in _VALUES if f not in order_by)]
    positions = {name: index for index, name in enumerate(value_fields)}
    async for batch in keyset_batches(
        completed_line_items(scope), order_by, value_fields, batch_size
    ):
        yield [
            LineItem(
                order_id=row[positions["order_id"]],
                completed_at=row[positions["order__completed_at"]],
                customer_email=row[positions["order__customer_email"]],
                customer_name=row[positions["order__customer_name"]],
                sku=row[positions["product__sku"]],
                product_name=row[positions["product__name"]],
                quantity=row[positions["quantity"]],
                unit_price=row[positions["unit_price"]],
                line_total=row[positions["line_total"]],
            )
            for row in batch
        ]
