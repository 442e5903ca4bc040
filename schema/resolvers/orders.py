"""Orders: create, complete (taking stock), cancel, and list."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import strawberry
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.catalog import Product as ProductModel
from models.orders import MAX_LINE_TOTAL, MAX_ORDER_ITEMS, MAX_ORDER_TOTAL, transition_order
from models.orders import Order as OrderModel
from models.orders import OrderItem as OrderItemModel
from schema.context import AppInfo, current_account
from schema.errors import ApiError, bad_input, conflict, not_found
from schema.resolvers.validation import MAX_QUANTITY, clean_count, clean_email, clean_text, parse_id
from schema.types.enums import OrderStatus
from schema.types.orders import CreateOrderInput, Order
from schema.types.pagination import Connection, KeysetOrder, paginate

NEWEST_FIRST = KeysetOrder(
    fields=("created_at", "id"), parsers=(datetime.fromisoformat, UUID), descending=True
)


def _with_items(queryset: QuerySet[OrderModel]) -> QuerySet[OrderModel]:
    return queryset.prefetch_related("items__product")


async def _owned_order(account_id: UUID, raw_id: str) -> OrderModel | None:
    order_id = parse_id(raw_id)
    if order_id is None:
        return None
    return await _with_items(OrderModel.filter(id=order_id, account_id=account_id)).first()


async def _refused(order_id: UUID, verb: str) -> ApiError:
    current = await OrderModel.get(id=order_id)
    return conflict(f"Only a PENDING order can be {verb}; this one is {current.status}")


async def _reload(order_id: UUID) -> Order:
    order = await _with_items(OrderModel.filter(id=order_id)).get()
    return Order.from_model(order, order.items)


@strawberry.type
class OrderQuery:
    @strawberry.field
    async def order(self, info: AppInfo, id: strawberry.ID) -> Order | None:
        order = await _owned_order(current_account(info), id)
        return Order.from_model(order, order.items) if order else None

    @strawberry.field
    async def orders(
        self,
        info: AppInfo,
        status: OrderStatus | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[Order]:
        queryset = OrderModel.filter(account_id=current_account(info))
        if status is not None:
            queryset = queryset.filter(status=status)
        # Items are loaded by Order.items, for the whole page at once, if asked for.
        return await paginate(queryset, NEWEST_FIRST, first, after, Order.from_model)


@strawberry.type
class OrderMutation:
    @strawberry.mutation(description="A PENDING order; unit prices are the products' prices now.")
    async def create_order(self, info: AppInfo, input: CreateOrderInput) -> Order:
        account_id = current_account(info)
        customer_name = clean_text("customerName", input.customer_name, max_length=200)
        customer_email = clean_email("customerEmail", input.customer_email)
        if not input.items:
            raise bad_input("items", "an order needs at least one item")
        if len(input.items) > MAX_ORDER_ITEMS:
            raise bad_input("items", f"an order has at most {MAX_ORDER_ITEMS} items")
        for index, item in enumerate(input.items):
            clean_count(f"items[{index}].quantity", item.quantity, minimum=1, maximum=MAX_QUANTITY)
        skus = {item.sku for item in input.items}
        products = {
            p.sku: p for p in await ProductModel.filter(account_id=account_id, sku__in=list(skus))
        }
        for index, item in enumerate(input.items):
            if item.sku not in products:
                raise bad_input(f"items[{index}].sku", f"unknown sku {item.sku!r}")
        lines = [
            (products[item.sku], item.quantity, products[item.sku].price * item.quantity)
            for item in input.items
        ]
        for index, (_, _, line_total) in enumerate(lines):
            if line_total > MAX_LINE_TOTAL:
                raise bad_input(
                    f"items[{index}].quantity", f"a line may total at most {MAX_LINE_TOTAL}"
                )
        if sum((line_total for _, _, line_total in lines), Decimal(0)) > MAX_ORDER_TOTAL:
            raise bad_input("items", f"an order may total at most {MAX_ORDER_TOTAL}")
        async with in_transaction():
            order = await OrderModel.create(
                account_id=account_id,
                customer_name=customer_name,
                customer_email=customer_email,
                total=sum((line_total for _, _, line_total in lines), Decimal(0)),
            )
            items = [
                OrderItemModel(
                    order_id=order.id,
                    product=product,
                    quantity=quantity,
                    unit_price=product.price,
                    line_total=line_total,
                )
                for product, quantity, line_total in lines
            ]
            await OrderItemModel.bulk_create(items)
        # Answered from what was written (as read back: Tortoise sets created_at so),
        # not reloaded: three SELECTs fewer.
        return Order.from_model(order, items)

    @strawberry.mutation(description="PENDING -> COMPLETED: sets completedAt and takes stock.")
    async def complete_order(self, info: AppInfo, id: strawberry.ID) -> Order:
        order = await _owned_order(current_account(info), id)
        if order is None:
            raise not_found("Order")
        needed = Counter[UUID]()
        skus: dict[UUID, str] = {}
        for item in order.items:
            needed[item.product.id] += item.quantity
            skus[item.product.id] = item.product.sku
        async with in_transaction():
            if not await transition_order(
                order.id, OrderStatus.COMPLETED, completed_at=datetime.now(UTC)
            ):
                raise await _refused(order.id, "completed")
            # Each decrement is guarded by the stock it needs, so two orders racing
            # for the last units cannot both take them; any shortfall rolls back all.
            for product_id, quantity in sorted(needed.items(), key=lambda kv: str(kv[0])):
                taken = await ProductModel.filter(id=product_id, stock__gte=quantity).update(
                    stock=F("stock") - quantity
                )
                if not taken:
                    raise bad_input(
                        "items", f"not enough stock for sku {skus[product_id]!r} to complete"
                    )
        return await _reload(order.id)

    @strawberry.mutation(description="PENDING -> CANCELLED.")
    async def cancel_order(self, info: AppInfo, id: strawberry.ID) -> Order:
        order = await _owned_order(current_account(info), id)
        if order is None:
            raise not_found("Order")
        if not await transition_order(order.id, OrderStatus.CANCELLED):
            raise await _refused(order.id, "cancelled")
        return await _reload(order.id)
