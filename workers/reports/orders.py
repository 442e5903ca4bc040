"""ORDERS: one row per line item of completed orders in the range."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any, ClassVar

from models.report_jobs import ReportKind
from workers.reports.base import Row, RowChunk
from workers.reports.formatting import money, timestamp
from workers.reports.line_items import (
    BY_COMPLETION,
    count_completed_line_items,
    stream_completed_line_items,
)
from workers.reports.scope import ReportScope


class OrdersReport:
    kind: ClassVar[ReportKind] = ReportKind.ORDERS
    columns: ClassVar[tuple[str, ...]] = (
        "order_id",
        "completed_at",
        "customer_name",
        "customer_email",
        "sku",
        "product_name",
        "quantity",
        "unit_price",
        "line_total",
    )
    work_is_rows: ClassVar[bool] = True
    reading_message: ClassVar[str] = "Reading orders"

    def __init__(self, scope: ReportScope, batch_size: int) -> None:
        self._scope = scope
        self._batch_size = batch_size
        self._orders = 0
        self._last_order_id: object = None
        self._line_items = 0
        self._units = 0
        self._total = Decimal(0)

    async def work_total(self) -> int:
        return await count_completed_line_items(self._scope)

    async def chunks(self) -> AsyncIterator[RowChunk]:
        async for batch in stream_completed_line_items(
            self._scope, BY_COMPLETION, self._batch_size
        ):
            rows: list[Row] = []
            for item in batch:
                if item.order_id != self._last_order_id:
                    # Items arrive grouped by order, so a change of id is a new order.
                    self._orders += 1
                    self._last_order_id = item.order_id
                self._line_items += 1
                self._units += item.quantity
                self._total += item.line_total
                rows.append(
                    (
                        str(item.order_id),
                        timestamp(item.completed_at),
                        item.customer_name,
                        item.customer_email,
                        item.sku,
                        item.product_name,
                        str(item.quantity),
                        money(item.unit_price),
                        money(item.line_total),
                    )
                )
            yield RowChunk(rows=rows, work_done=len(batch))

    def summary(self) -> dict[str, Any]:
        return {
            "orders": self._orders,
            "lineItems": self._line_items,
            "units": self._units,
            "totalSales": money(self._total),
        }
