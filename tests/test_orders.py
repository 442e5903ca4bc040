"""Products and orders as a shop uses them: prices captured, stock taken, pages walked."""

from __future__ import annotations

from client.graphql_client import ReportsClient
from tests.support.documents import (
    CANCEL_ORDER,
    COMPLETE_ORDER,
    ORDERS,
    PRODUCTS,
    UPSERT_PRODUCT,
)
from tests.support.factories import add_product, create_order


async def test_upsert_updates_by_sku(user: ReportsClient) -> None:
    first = await add_product(user, "SKU-1", "Kettle", "19.99", stock=4)
    second = await add_product(user, "SKU-1", "Kettle XL", "24.5", stock=6)
    assert second["id"] == first["id"]
    assert (second["name"], second["price"], second["stock"]) == ("Kettle XL", "24.50", 6)
    page = (await user.execute(PRODUCTS, {}))["products"]
    assert page["totalCount"] == 1


async def test_order_captures_prices_and_completion_takes_stock(user: ReportsClient) -> None:
    await add_product(user, "PEN", "Pen", "1.10", stock=10)
    await add_product(user, "INK", "Ink", "3.33", stock=5)
    order = await create_order(user, "Ann", "ann@example.com", [("PEN", 3), ("INK", 2), ("PEN", 1)])
    assert order["status"] == "PENDING" and order["completedAt"] is None
    assert order["total"] == "11.06"
    assert [(i["product"]["sku"], i["quantity"], i["lineTotal"]) for i in order["items"]] == [
        ("PEN", 3, "3.30"),
        ("INK", 2, "6.66"),
        ("PEN", 1, "1.10"),
    ]
    await user.execute(
        UPSERT_PRODUCT, {"input": {"sku": "PEN", "name": "Pen", "price": "9.00", "stock": 10}}
    )
    completed = (await user.execute(COMPLETE_ORDER, {"id": order["id"]}))["completeOrder"]
    assert completed["status"] == "COMPLETED"
    assert completed["completedAt"].endswith("+00:00")
    assert completed["items"][0]["unitPrice"] == "1.10", "the price at order time stays"
    stock = {
        p["node"]["sku"]: p["node"]["stock"]
        for p in (await user.execute(PRODUCTS, {}))["products"]["edges"]
    }
    assert stock == {"INK": 3, "PEN": 6}


async def test_cancel_keeps_stock(user: ReportsClient) -> None:
    await add_product(user, "CUP", "Cup", "2.00", stock=2)
    order = await create_order(user, "Bob", "bob@example.com", [("CUP", 2)])
    cancelled = (await user.execute(CANCEL_ORDER, {"id": order["id"]}))["cancelOrder"]
    assert cancelled["status"] == "CANCELLED"
    assert (await user.execute(PRODUCTS, {}))["products"]["edges"][0]["node"]["stock"] == 2


async def test_pages_walk_every_item_once_in_order(user: ReportsClient) -> None:
    for index in range(7):
        await add_product(user, f"P{index:02d}", f"Product {index}", "1.00", stock=100)
        await create_order(user, f"C{index}", f"c{index}@example.com", [(f"P{index:02d}", 1)])
    skus, after = [], None
    while True:
        page = (await user.execute(PRODUCTS, {"first": 3, "after": after}))["products"]
        assert page["totalCount"] == 7
        skus += [edge["node"]["sku"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert skus == [f"P{index:02d}" for index in range(7)]

    names, after = [], None
    while True:
        page = (await user.execute(ORDERS, {"first": 2, "after": after, "status": "PENDING"}))[
            "orders"
        ]
        names += [edge["node"]["customerName"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names == [f"C{index}" for index in reversed(range(7))], "newest first"
    assert (await user.execute(ORDERS, {"status": "COMPLETED"}))["orders"]["totalCount"] == 0
