"""CUSTOMERS: one row per customer (by email) with completed orders in the range."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from models.report_jobs import ReportKind
from workers.reports.base import Row, RowChunk
from workers.reports.formatting import money, timestamp
from workers.reports.line_items import (
    BY_CUSTOMER,
    LineItem,
    count_completed_line_items,
    stream_completed_line_items,
)
from workers.reports.scope import ReportScope


@dataclass
class _Customer:
    email: str
    name: str
    first_order_at: datetime
    last_order_at: datetime
    orders: int = 0
    units: int = 0
    revenue: Decimal = Decimal(0)
    last_order_id: object = None

    def add(self, item: LineItem) -> None:
        if item.order_id != self.last_order_id:
            self.orders += 1
            self.last_order_id = item.order_id
        # Items arrive oldest first, so the last name seen is the most recent order's.
        self.name = item.customer_name
        self.last_order_at = item.completed_at
        self.units += item.quantity
        self.revenue += item.line_total

    def row(self) -> Row:
        return (
            self.email,
            self.name,
            str(self.orders),
            str(self.units),
            money(self.revenue),
            timestamp(self.first_order_at),
            timestamp(self.last_order_at),
        )


class CustomersReport:
    kind: ClassVar[ReportKind] = ReportKind.CUSTOMERS
    columns: ClassVar[tuple[str, ...]] = (
        "customer_email",
        "customer_name",
        "orders",
        "units",
        "revenue",
        "first_order_at",
        "last_order_at",
    )
    work_is_rows: ClassVar[bool] = False
    work_unit: ClassVar[str] = "line items"
    reading_message: ClassVar[str] = "Reading customers"
    free_text_columns: ClassVar[frozenset[str]] = frozenset({"customer_email", "customer_name"})

    def __init__(self, scope: ReportScope, batch_size: int) -> None:
        self._scope = scope
        self._batch_size = batch_size
        self._current: _Customer | None = None
        self._customers = 0
        self._orders = 0
        self._revenue = Decimal(0)

    async def work_total(self) -> int:
        return await count_completed_line_items(self._scope)

    async def chunks(self) -> AsyncIterator[RowChunk]:
        async for batch in stream_completed_line_items(self._scope, BY_CUSTOMER, self._batch_size):
            rows: list[Row] = []
            for item in batch:
                if self._current is None or self._current.email != item.customer_email:
                    if self._current is not None:
                        rows.append(self._close(self._current))
                    self._current = _Customer(
                        email=item.customer_email,
                        name=item.customer_name,
                        first_order_at=item.completed_at,
                        last_order_at=item.completed_at,
                    )
                self._current.add(item)
            yield RowChunk(rows=rows, work_done=len(batch))
        if self._current is not None:
            yield RowChunk(rows=[self._close(self._current)], work_done=0)
            self._current = None

    def _close(self, customer: _Customer) -> Row:
        self._customers += 1
        self._orders += customer.orders
        self._revenue += customer.revenue
        return customer.row()

    def summary(self) -> dict[str, Any]:
        return {
            "customers": self._customers,
            "orders": self._orders,
            "totalSales": money(self._revenue),
            "averageRevenuePerCustomer": money(
                self._revenue / self._customers if self._customers else 0
            ),
        }
