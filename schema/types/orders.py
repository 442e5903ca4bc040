"""GraphQL types of orders: an order with its line items, and the input that creates one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import strawberry

from models.orders import Order as OrderModel
from models.orders import OrderItem as OrderItemModel
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
    items: list[OrderItem]
    total: Decimal
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def from_model(cls, order: OrderModel, items: Sequence[OrderItemModel] | None = None) -> Order:
        """Build from an order whose items and their products are prefetched, or from a
        new order and the items (holding their products) just written for it."""
        return cls(
            id=strawberry.ID(str(order.id)),
            customer_name=order.customer_name,
            customer_email=order.customer_email,
            status=order.status,
            items=[
                OrderItem.from_model(item) for item in (order.items if items is None else items)
            ],
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
