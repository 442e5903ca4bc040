"""GraphQL types of orders: an order with its line items, and the input that creates one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import strawberry

from models.orders import MAX_ORDER_ITEMS
from models.orders import Order as OrderModel
from models.orders import OrderItem as OrderItemModel
from schema.context import AppInfo
from schema.errors import bad_input
from schema.types.enums import OrderStatus
from schema.types.products import Product


@strawberry.type
class OrderItem:
    product: Product
    quantity: int
    unit_price: Decimal
    line_total: Decimal

    @classmethod
    def from_model(cls, item: OrderItemModel) -> OrderItem:
        return cls(
            product=Product.from_model(item.product),
            quantity=item.quantity,
            unit_price=item.unit_price,
            line_total=item.line_total,
        )


@strawberry.type
class Order:
    id: strawberry.ID
    customer_name: str
    customer_email: str
    status: OrderStatus
    # Known when the order was read with them; else loaded only if asked for.
    known_items: strawberry.Private[list[OrderItem] | None]

    @strawberry.field(
        description="The order's lines, in the order they were written; the first `first` "
        f"of them if given (1 to {MAX_ORDER_ITEMS}), else all."
    )
    async def items(self, info: AppInfo, first: int | None = None) -> list[OrderItem]:
        # A page of orders loads its orders' items only if a query asks for them, and
        # then for every order of the page in one query.
        if first is not None and not 1 <= first <= MAX_ORDER_ITEMS:
            raise bad_input("first", f"first must be between 1 and {MAX_ORDER_ITEMS}")
        if self.known_items is not None:
            items = self.known_items
        else:
            loaded = await info.context.order_items.load(UUID(self.id))
            items = [OrderItem.from_model(item) for item in loaded]
        return items if first is None else items[:first]

    total: Decimal
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def from_model(cls, order: OrderModel, items: Iterable[OrderItemModel] | None = None) -> Order:
        """Build from an order and, if they were read with it, its items (holding their
        products); without them, `items` loads them when asked."""
        return cls(
            id=strawberry.ID(str(order.id)),
            customer_name=order.customer_name,
            customer_email=order.customer_email,
            status=order.status,
            known_items=None if items is None else [OrderItem.from_model(i) for i in items],
            total=order.total,
            created_at=order.created_at,
            completed_at=order.completed_at,
        )


@strawberry.input
class OrderItemInput:
    sku: str
    quantity: int


@strawberry.input
class CreateOrderInput:
    customer_name: str
    customer_email: str
    items: list[OrderItemInput]
