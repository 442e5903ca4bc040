"""SALES: one row per UTC day that had completed orders in the range."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from models.report_jobs import ReportKind
from workers.reports.base import Row, RowChunk
from workers.reports.formatting import money, utc_day
from workers.reports.line_items import (
    BY_COMPLETION,
    LineItem,
    count_completed_line_items,
    stream_completed_line_items,
)
from workers.reports.scope import ReportScope


@dataclass
class _Day:
    day: date
    orders: int = 0
    units: int = 0
    revenue: Decimal = Decimal(0)
    last_order_id: object = None

    def add(self, item: LineItem) -> None:
        if item.order_id != self.last_order_id:
            self.orders += 1
            self.last_order_id = item.order_id
        self.units += item.quantity
        self.revenue += item.line_total

    def row(self) -> Row:
        return (
            self.day.isoformat(),
            str(self.orders),
            str(self.units),
            money(self.revenue),
            money(self.revenue / self.orders),
        )


@dataclass
class _ProductSales:
    name: str
    units: int = 0
    revenue: Decimal = field(default_factory=Decimal)


class SalesReport:
    kind: ClassVar[ReportKind] = ReportKind.SALES
    columns: ClassVar[tuple[str, ...]] = (
        "date",
        "orders",
        "units",
        "revenue",
        "average_order_value",
    )
    work_is_rows: ClassVar[bool] = False
    work_unit: ClassVar[str] = "line items"
    reading_message: ClassVar[str] = "Reading sales"
    free_text_columns: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, scope: ReportScope, batch_size: int) -> None:
        self._scope = scope
        self._batch_size = batch_size
        self._current: _Day | None = None
        self._days = 0
        self._orders = 0
        self._units = 0
        self._revenue = Decimal(0)
        self._products: dict[str, _ProductSales] = defaultdict(lambda: _ProductSales(name=""))

    async def work_total(self) -> int:
        return await count_completed_line_items(self._scope)

    async def chunks(self) -> AsyncIterator[RowChunk]:
        async for batch in stream_completed_line_items(
            self._scope, BY_COMPLETION, self._batch_size
        ):
            rows: list[Row] = []
            for item in batch:
                day = utc_day(item.completed_at)
                if self._current is None or self._current.day != day:
                    if self._current is not None:
                        rows.append(self._close_day(self._current))
                    self._current = _Day(day=day)
                self._current.add(item)
                product = self._products[item.sku]
                product.name = item.product_name
                product.units += item.quantity
                product.revenue += item.line_total
            yield RowChunk(rows=rows, work_done=len(batch))
        if self._current is not None:
            yield RowChunk(rows=[self._close_day(self._current)], work_done=0)
            self._current = None

    def _close_day(self, day: _Day) -> Row:
        self._days += 1
        self._orders += day.orders
        self._units += day.units
        self._revenue += day.revenue
        return day.row()

    def summary(self) -> dict[str, Any]:
        top_product = None
        if self._products:
            # Highest revenue wins; ties go to the lower sku so the answer is stable.
            sku, sales = min(self._products.items(), key=lambda kv: (-kv[1].revenue, kv[0]))
            top_product = {
                "sku": sku,
                "name": sales.name,
                "units": sales.units,
                "revenue": money(sales.revenue),
            }
        return {
            "days": self._days,
            "orders": self._orders,
            "units": self._units,
            "totalSales": money(self._revenue),
            "averageOrderValue": money(self._revenue / self._orders if self._orders else 0),
            "topProduct": top_product,
        }
