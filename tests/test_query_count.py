"""The SQL statements a list costs do not grow with the page size, nor an order's with
its items."""

from __future__ import annotations

import logging

import pytest
from tortoise.models import Model

from client.graphql_client import ReportsClient
from models.orders import Order, OrderItem
from tests.support.documents import ORDER, ORDERS, PRODUCTS, REPORT_JOBS
from tests.support.factories import add_product, create_order, request_report


def statements(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("tortoise.db_client")
        and record.getMessage().lstrip().upper().startswith(("SELECT", "WITH"))
    ]


async def count_for(
    client: ReportsClient, caplog: pytest.LogCaptureFixture, document: str, first: int
) -> int:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        await client.execute(document, {"first": first})
    return len(statements(caplog))


async def test_lists_cost_the_same_statements_for_2_or_50_items(
    user: ReportsClient, caplog: pytest.LogCaptureFixture
) -> None:
    for index in range(12):
        await add_product(user, f"Q-{index:02d}", f"Product {index}", "1.00")
        await create_order(user, f"C{index}", f"c{index}@example.com", [(f"Q-{index:02d}", 1)] * 3)
        await request_report(user, kind="SALES", format="CSV")
    for document in (ORDERS, PRODUCTS, REPORT_JOBS):
        small = await count_for(user, caplog, document, 2)
        large = await count_for(user, caplog, document, 50)
        assert small == large, f"{document.split()[1]}: {small} statements for 2, {large} for 50"
        assert 1 <= large <= 5


def all_statements(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("tortoise.db_client")
    ]


def inserts_into(statements: list[str], model: type[Model]) -> int:
    return sum(
        statement.lstrip().startswith(f'INSERT INTO "{model.describe()["table"]}"')
        for statement in statements
    )


async def test_create_order_costs_the_same_statements_for_1_or_5_items(
    user: ReportsClient, caplog: pytest.LogCaptureFixture
) -> None:
    for index in range(5):
        await add_product(user, f"N-{index}", f"Product {index}", "1.00")
    counts = []
    for lines in (1, 5):
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            order = await create_order(
                user, "C", "c@example.com", [(f"N-{index}", 2) for index in range(lines)]
            )
        assert len(order["items"]) == lines
        # Answered without reading the order back, yet as a read would answer.
        assert order == (await user.execute(ORDER, {"id": order["id"]}))["order"]
        statements = all_statements(caplog)
        assert (inserts_into(statements, Order), inserts_into(statements, OrderItem)) == (1, 1), (
            f"the order and its items were counted, each one INSERT: {statements}"
        )
        counts.append(len(statements))
    # Session, products, order, items: the items go in as one batched INSERT
    # (executemany, one round trip), whatever their number.
    assert counts[0] == counts[1], f"{counts[0]} statements for 1 item, {counts[1]} for 5"
    assert counts[1] <= 4


async def test_a_page_of_orders_reads_items_only_when_asked_and_then_at_once(
    user: ReportsClient, caplog: pytest.LogCaptureFixture
) -> None:
    await add_product(user, "I-1", "Item", "1.00", stock=100)
    for index in range(4):
        await create_order(user, f"C{index}", f"c{index}@example.com", [("I-1", 1)] * 3)
    without = "query($first: Int) { orders(first: $first) { edges { node { id total } } } }"
    with_items = (
        "query($first: Int) { orders(first: $first) "
        "{ edges { node { id items { quantity product { sku } } } } } }"
    )
    await count_for(user, caplog, without, 4)
    assert not [s for s in statements(caplog) if "order_item" in s], "no items read"
    await count_for(user, caplog, with_items, 4)
    assert len([s for s in statements(caplog) if "order_item" in s]) == 1, "one read for the page"
