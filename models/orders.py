"""Orders and their line items, with the order state machine."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import Account
    from models.catalog import Product


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


# Allowed order transitions, as data: from-status -> reachable statuses.
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

MAX_ORDER_ITEMS = 500
# What the columns below can hold (numeric(14, 2)).
MAX_ORDER_TOTAL = Decimal("999999999999.99")
MAX_LINE_TOTAL = MAX_ORDER_TOTAL


def order_statuses_leading_to(target: OrderStatus) -> list[OrderStatus]:
    return [source for source, targets in ORDER_TRANSITIONS.items() if target in targets]


async def transition_order(order_id: UUID, to: OrderStatus, **changes: Any) -> bool:
    """Move an order to `to` if its current status allows it (one guarded UPDATE)."""
    moved = await Order.filter(id=order_id, status__in=order_statuses_leading_to(to)).update(
        status=to, **changes
    )
    return bool(moved)


class Order(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="orders", on_delete=fields.CASCADE
    )
    account_id: UUID
    customer_name = fields.CharField(max_length=200)
    customer_email = fields.CharField(max_length=254)
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.PENDING)
    total = fields.DecimalField(max_digits=14, decimal_places=2)
    created_at = fields.DatetimeField(auto_now_add=True)
    completed_at = fields.DatetimeField(null=True)

    items: fields.ReverseRelation[OrderItem]

    class Meta:
        table = "customer_order"
        indexes = (("account_id", "created_at"), ("account_id", "status", "completed_at"))


class OrderItem(Model):
    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="items", on_delete=fields.CASCADE
    )
    order_id: UUID
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="order_items", on_delete=fields.RESTRICT
    )
    product_id: UUID
    quantity = fields.IntField()
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2)
    line_total = fields.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        table = "order_item"
        indexes = (("order_id", "id"), ("product_id",))


async def items_of_orders(order_ids: Sequence[UUID]) -> list[list[OrderItem]]:
    """Each order's items, with their products, in one query; in `order_ids`' order."""
    by_order: dict[UUID, list[OrderItem]] = {order_id: [] for order_id in order_ids}
    items = OrderItem.filter(order_id__in=list(order_ids)).select_related("product").order_by("id")
    for item in await items:
        by_order[item.order_id].append(item)
    return [by_order[order_id] for order_id in order_ids]
