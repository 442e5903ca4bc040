"""ORDERS: one row per line item of completed orders in the range."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from models.report_jobs import ReportKind
from workers.csv_safety import neutralised_sql
from workers.reports.base import CopyPlan, Row, RowChunk
from workers.reports.formatting import money, timestamp
from workers.reports.line_items import (
    BY_COMPLETION,
    completed_line_items_sql,
    count_completed_line_items,
    stream_completed_line_items,
)
from workers.reports.scope import ReportScope

# The columns as the row path writes them, in SQL for COPY. timestamp(): isoformat()
# in UTC, whose fraction is left out when it is zero. money(): the columns hold
# exactly two decimals. Empty strings become NULL, which COPY writes as nothing,
# as csv.writer does (COPY would write "" for an empty string).
_COPY_COLUMNS = (
    "i.order_id::text",
    "replace(to_char(o.completed_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00'",
    f"nullif({neutralised_sql('o.customer_name')}, '')",
    f"nullif({neutralised_sql('o.customer_email')}, '')",
    f"nullif({neutralised_sql('p.sku')}, '')",
    f"nullif({neutralised_sql('p.name')}, '')",
    "i.quantity::text",
    "i.unit_price::text",
    "i.line_total::text",
)
_COPY_JOINS = "JOIN product p ON p.id = i.product_id"
# BY_COMPLETION, in SQL.
_COPY_ORDER = "o.completed_at, i.order_id, i.id"
_COPY_TOTALS = (
    "count(*) AS rows",
    "count(DISTINCT i.order_id) AS orders",
    "coalesce(sum(i.quantity), 0) AS units",
    "coalesce(sum(i.line_total), 0) AS total_sales",
)


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
    work_unit: ClassVar[str] = "rows"
    reading_message: ClassVar[str] = "Reading orders"
    free_text_columns: ClassVar[frozenset[str]] = frozenset(
        {"customer_name", "customer_email", "sku", "product_name"}
    )

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
        return _summary(self._orders, self._line_items, self._units, self._total)

    def copy_plan(self) -> CopyPlan:
        with_products, args = completed_line_items_sql(self._scope, _COPY_JOINS)
        # The totals need no product: a join fewer over every line item.
        line_items, _ = completed_line_items_sql(self._scope)
        return CopyPlan(
            rows_sql=f"SELECT {', '.join(_COPY_COLUMNS)} {with_products} ORDER BY {_COPY_ORDER}",
            totals_sql=f"SELECT {', '.join(_COPY_TOTALS)} {line_items}",
            args=args,
            summary=_summary_of_totals,
        )


def _summary(orders: int, line_items: int, units: int, total: Decimal) -> dict[str, Any]:
    return {"orders": orders, "lineItems": line_items, "units": units, "totalSales": money(total)}


def _summary_of_totals(totals: Mapping[str, Any]) -> dict[str, Any]:
    return _summary(totals["orders"], totals["rows"], totals["units"], totals["total_sales"])
