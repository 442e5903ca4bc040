"""INVENTORY: one row per product, with its sales in the range."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any, ClassVar

from tortoise.functions import Sum

from models.catalog import Product
from models.keyset import keyset_batches
from models.orders import OrderItem, OrderStatus
from models.report_jobs import ReportKind
from workers.reports.base import Row, RowChunk
from workers.reports.formatting import money, to_decimal
from workers.reports.scope import ReportScope


class InventoryReport:
    kind: ClassVar[ReportKind] = ReportKind.INVENTORY
    columns: ClassVar[tuple[str, ...]] = (
        "sku",
        "product_name",
        "price",
        "stock",
        "units_sold",
        "revenue",
    )
    work_is_rows: ClassVar[bool] = True
    work_unit: ClassVar[str] = "rows"
    reading_message: ClassVar[str] = "Reading products"
    free_text_columns: ClassVar[frozenset[str]] = frozenset({"sku", "product_name"})

    def __init__(self, scope: ReportScope, batch_size: int) -> None:
        self._scope = scope
        self._batch_size = batch_size
        self._products = 0
        self._stock = 0
        self._stock_value = Decimal(0)
        self._units_sold = 0
        self._revenue = Decimal(0)

    async def work_total(self) -> int:
        return await Product.filter(account_id=self._scope.account_id).count()

    async def chunks(self) -> AsyncIterator[RowChunk]:
        products = Product.filter(account_id=self._scope.account_id)
        async for batch in keyset_batches(
            products, ("sku",), ("sku", "id", "name", "price", "stock"), self._batch_size
        ):
            sold = await self._sales_of([row[1] for row in batch])
            rows: list[Row] = []
            for sku, product_id, name, price, stock in batch:
                units, revenue = sold.get(str(product_id), (0, Decimal(0)))
                self._products += 1
                self._stock += stock
                self._stock_value += to_decimal(price) * stock
                self._units_sold += units
                self._revenue += revenue
                rows.append((sku, name, money(price), str(stock), str(units), money(revenue)))
            yield RowChunk(rows=rows, work_done=len(batch))

    async def _sales_of(self, product_ids: list[Any]) -> dict[str, tuple[int, Decimal]]:
        totals = (
            await OrderItem.filter(
                product_id__in=product_ids,
                order__status=OrderStatus.COMPLETED,
                **self._scope.completed_at_filters("order__"),
            )
            .annotate(units=Sum("quantity"), revenue=Sum("line_total"))
            .group_by("product_id")
            .values_list("product_id", "units", "revenue")
        )
        return {
            str(product_id): (int(units or 0), to_decimal(revenue))
            for product_id, units, revenue in totals
        }

    def summary(self) -> dict[str, Any]:
        return {
            "products": self._products,
            "totalStock": self._stock,
            "stockValue": money(self._stock_value),
            "unitsSold": self._units_sold,
            "totalSales": money(self._revenue),
        }
