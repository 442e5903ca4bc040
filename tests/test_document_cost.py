"""A document's answer is bounded before it runs: fields times list sizes, coded when too big."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLObjectType, build_schema, parse

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.orders import MAX_ORDER_ITEMS
from schema.limits.document_cost import LIST_SIZES, PAGE_ARGUMENT, PAGED_FIELDS, cost_of
from schema.root import DOCUMENT_LIMITS, schema
from schema.types.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from tests.support.factories import add_product, create_order

# The attack: one free account, 200 orders of 500 items, 36 MB in 9.5 s.
ATTACK = "{ orders(first: 200) { edges { node { items { product { id sku name } } } } } }"
ATTACK_COST = 1 + 200 * (1 + 1 + 1 + MAX_ORDER_ITEMS * (1 + 3))


def test_the_estimate_multiplies_fields_by_page_and_list_sizes() -> None:
    assert cost_of(parse(ATTACK), {}) == ATTACK_COST
    paged = "query($n: Int) { products(first: $n) { edges { node { sku } } } }"
    assert cost_of(parse(paged), {"n": 10}) == 1 + 10 * (1 + 1 + 1)
    assert cost_of(parse(paged), {}) == 1 + DEFAULT_PAGE_SIZE * 3, "the default page"
    assert cost_of(parse(paged), {"n": MAX_PAGE_SIZE}) == 1 + MAX_PAGE_SIZE * 3
    for refused_by_the_field in (MAX_PAGE_SIZE + 1, 0, "ten"):
        assert cost_of(parse(paged), {"n": refused_by_the_field}) == 1 + 3, "no page"
    aliased = "{ a: products(first: 2) { totalCount } b: products(first: 3) { totalCount } }"
    assert cost_of(parse(aliased), {}) == (1 + 2) + (1 + 3), "each alias answers"
    through_fragment = (
        "{ orders(first: 2) { ...Page } } fragment Page on OrderConnection "
        "{ edges { node { items { quantity } } } }"
    )
    assert cost_of(parse(through_fragment), {}) == 1 + 2 * (1 + 1 + 1 + MAX_ORDER_ITEMS)
    capped = "{ orders(first: 200) { edges { node { items(first: 10) { quantity } } } } }"
    assert cost_of(parse(capped), {}) == 1 + 200 * (1 + 1 + 1 + 10), "items(first:) caps"


def test_the_lists_it_knows_are_the_schema_s() -> None:
    """Every field taking `first` is counted as a page or a sized list, and so is every
    other list but a page's edges (counted in the page) and the stats' lists (one entry
    per status or priority: a handful)."""
    built = build_schema(schema.as_str())
    paged, lists = set(), set()
    for type_ in built.type_map.values():
        if type_.name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        for name, field in getattr(type_, "fields", {}).items():
            if PAGE_ARGUMENT in getattr(field, "args", {}):
                paged.add(name)
            elif "[" in str(getattr(field, "type", "")):
                lists.add(name)
    sized_without_first = {"deliveries", "deliverTo"}
    assert paged == PAGED_FIELDS | (set(LIST_SIZES) - sized_without_first)
    assert lists == {"edges", "jobsByStatus", "queueDepth", "delayedDepth"} | sized_without_first


async def test_the_attack_is_refused_naming_the_limit_and_a_page_is_not(
    user: ReportsClient,
) -> None:
    body = await user.post(ATTACK)
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "cost": ATTACK_COST,
        "limit": DOCUMENT_LIMITS.max_cost,
    }
    assert error["message"].startswith(f"Too costly: this document could answer {ATTACK_COST:,}")
    page = "{ orders(first: 100) { edges { node { items { quantity product { sku } } } } } }"
    assert "errors" not in await user.post(page)


@pytest.mark.parametrize("first", [200, 100])
async def test_a_variable_page_size_is_counted_per_request(user: ReportsClient, first: int) -> None:
    query = (
        "query($n: Int) { orders(first: $n) "
        "{ edges { node { items { product { id sku name } } } } } }"
    )
    body: dict[str, Any] = await user.post(query, {"n": first})
    refused = bool(body.get("errors"))
    assert refused == (first == 200), body


async def test_items_first_caps_an_order_s_lines_and_is_checked(user: ReportsClient) -> None:
    await add_product(user, "L-1", "Line", "1.00", stock=100)
    order = await create_order(user, "Ann", "ann@example.com", [("L-1", 1), ("L-1", 2), ("L-1", 3)])
    query = "query($id: ID!, $n: Int) { order(id: $id) { items(first: $n) { quantity } } }"
    two = await user.execute(query, {"id": order["id"], "n": 2})
    assert [item["quantity"] for item in two["order"]["items"]] == [1, 2]
    every = await user.execute(query, {"id": order["id"]})
    assert [item["quantity"] for item in every["order"]["items"]] == [1, 2, 3]
    for refused in (0, MAX_ORDER_ITEMS + 1):
        with pytest.raises(GraphQLResponseError) as caught:
            await user.execute(query, {"id": order["id"], "n": refused})
        assert caught.value.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
