"""Bad input gets the contract's error code, names the field, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.catalog import Product
from models.orders import Order, OrderItem
from models.report_jobs import ReportJob
from tests.support.documents import (
    CANCEL_ORDER,
    CANCEL_REPORT,
    COMPLETE_ORDER,
    CREATE_ORDER,
    ORDER,
    ORDERS,
    PRODUCTS,
    REPORT_JOB,
    REPORT_JOBS,
    REQUEST_REPORT,
    RETRY_REPORT,
    UPSERT_PRODUCT,
)
from tests.support.factories import add_product, create_order
from tests.support.waiting import wait_for_job

UNKNOWN_ID = "5f0c3b9e-1c51-4a3e-9d59-8a4c0f7e2b11"
MALFORMED_IDS = ["not-an-id", "", "1; DROP TABLE account", "0" * 500]


async def snapshot_of_everything() -> tuple[int, ...]:
    return (
        await Product.all().count(),
        await Order.all().count(),
        await OrderItem.all().count(),
        await ReportJob.all().count(),
        sum(await Product.all().values_list("stock", flat=True)),  # type: ignore[arg-type]
    )


async def expect_error(
    client: ReportsClient, document: str, variables: dict[str, Any], code: str, field: str | None
) -> None:
    before = await snapshot_of_everything()
    with pytest.raises(GraphQLResponseError) as caught:
        await client.execute(document, variables)
    (error,) = caught.value.errors
    assert error["extensions"]["code"] == code, error
    if field is not None:
        assert error["extensions"]["field"] == field, error
    assert error["message"] and "Traceback" not in error["message"]
    assert await snapshot_of_everything() == before, "a refused request changed something"


def order_input(
    items: list[dict[str, Any]], email: str = "ok@example.com", name: str = "Ok"
) -> dict[str, Any]:
    return {"input": {"customerName": name, "customerEmail": email, "items": items}}


@pytest.fixture
async def shop(user: ReportsClient) -> ReportsClient:
    await add_product(user, "GOOD", "Good", "5.00", stock=3)
    await add_product(user, "GOLD", "Gold bar", "9999999999.99", stock=0)
    return user


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        (order_input([{"sku": "GOOD", "quantity": 0}]), "items[0].quantity"),
        (
            order_input([{"sku": "GOOD", "quantity": 1}, {"sku": "GOOD", "quantity": -2}]),
            "items[1].quantity",
        ),
        (order_input([{"sku": "NOPE", "quantity": 1}]), "items[0].sku"),
        (order_input([]), "items"),
        (order_input([{"sku": "GOOD", "quantity": 1}] * 501), "items"),
        (order_input([{"sku": "GOOD", "quantity": 1}], email="not-an-email"), "customerEmail"),
        (order_input([{"sku": "GOOD", "quantity": 1}], email="a@b"), "customerEmail"),
        (order_input([{"sku": "GOOD", "quantity": 1}], name="   "), "customerName"),
        (order_input([{"sku": "GOOD", "quantity": "two"}]), "items[0].quantity"),
        (order_input([{"sku": "GOLD", "quantity": 1000}]), "items[0].quantity"),
        (order_input([{"sku": "GOLD", "quantity": 60}] * 2), "items"),
    ],
)
async def test_create_order_refuses_bad_items(
    shop: ReportsClient, variables: dict[str, Any], field: str
) -> None:
    await expect_error(shop, CREATE_ORDER, variables, "BAD_USER_INPUT", field)


@pytest.mark.parametrize(
    ("product", "field"),
    [
        ({"sku": "N", "name": "Neg", "price": "-0.01"}, "price"),
        ({"sku": "N", "name": "Frac", "price": "1.001"}, "price"),
        ({"sku": "N", "name": "Huge", "price": "1e30"}, "price"),
        ({"sku": "N", "name": "Stock", "price": "1.00", "stock": -1}, "stock"),
        ({"sku": "", "name": "No sku", "price": "1.00"}, "sku"),
        ({"sku": "N", "name": "", "price": "1.00"}, "name"),
        ({"sku": "x" * 65, "name": "Long", "price": "1.00"}, "sku"),
        ({"sku": "N", "name": "Word", "price": "abc"}, "price"),
        ({"sku": "N", "name": "Inf", "price": "Infinity"}, "price"),
        ({"sku": "N", "name": "Big stock", "price": "1.00", "stock": 2**40}, "stock"),
    ],
)
async def test_upsert_product_refuses_bad_values(
    shop: ReportsClient, product: dict[str, Any], field: str
) -> None:
    await expect_error(shop, UPSERT_PRODUCT, {"input": product}, "BAD_USER_INPUT", field)


async def test_completing_with_short_stock_names_the_sku_and_takes_nothing(
    shop: ReportsClient,
) -> None:
    await add_product(shop, "OTHER", "Other", "1.00", stock=10)
    order = await create_order(shop, "Ann", "ann@example.com", [("OTHER", 2), ("GOOD", 4)])
    before = await snapshot_of_everything()
    with pytest.raises(GraphQLResponseError) as caught:
        await shop.execute(COMPLETE_ORDER, {"id": order["id"]})
    (error,) = caught.value.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "GOOD" in error["message"]
    assert await snapshot_of_everything() == before
    assert (await shop.execute(ORDER, {"id": order["id"]}))["order"]["status"] == "PENDING"


async def test_illegal_order_transitions_are_conflicts(shop: ReportsClient) -> None:
    order = await create_order(shop, "Ann", "ann@example.com", [("GOOD", 1)])
    await shop.execute(COMPLETE_ORDER, {"id": order["id"]})
    for document in (COMPLETE_ORDER, CANCEL_ORDER):
        await expect_error(shop, document, {"id": order["id"]}, "CONFLICT", None)
    cancelled = await create_order(shop, "Bob", "bob@example.com", [("GOOD", 1)])
    await shop.execute(CANCEL_ORDER, {"id": cancelled["id"]})
    await expect_error(shop, COMPLETE_ORDER, {"id": cancelled["id"]}, "CONFLICT", None)


@pytest.mark.parametrize(
    ("report", "field"),
    [
        (
            {"kind": "SALES", "format": "CSV", "dateFrom": "2026-02-02", "dateTo": "2026-02-01"},
            "dateFrom",
        ),
        ({"kind": "SALES", "format": "CSV", "title": "t" * 201}, "title"),
        ({"kind": "SALES", "format": "CSV", "title": "  "}, "title"),
        ({"kind": "SALES", "format": "CSV", "dateTo": "9999-12-31"}, "dateTo"),
        ({"kind": "SALES", "format": "CSV", "dateFrom": "0001-01-01"}, "dateFrom"),
        ({"kind": "SALES", "format": "CSV", "dateFrom": "2026-13-01"}, "dateFrom"),
        ({"kind": "WEATHER", "format": "CSV"}, "kind"),
    ],
)
async def test_request_report_refuses_bad_parameters(
    shop: ReportsClient, report: dict[str, Any], field: str
) -> None:
    await expect_error(shop, REQUEST_REPORT, {"input": report}, "BAD_USER_INPUT", field)


@pytest.mark.parametrize("job_id", [UNKNOWN_ID, *MALFORMED_IDS])
async def test_unknown_and_malformed_ids(shop: ReportsClient, job_id: str) -> None:
    assert (await shop.execute(ORDER, {"id": job_id}))["order"] is None
    assert (await shop.execute(REPORT_JOB, {"id": job_id}))["reportJob"] is None
    for document in (COMPLETE_ORDER, CANCEL_ORDER, CANCEL_REPORT, RETRY_REPORT):
        await expect_error(shop, document, {"id": job_id}, "NOT_FOUND", None)


@pytest.mark.parametrize("document", [PRODUCTS, ORDERS, REPORT_JOBS])
@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 501}, "first"),
        ({"first": -5}, "first"),
        ({"after": "garbage!"}, "after"),
        ({"after": "WyJ4IiwieSIsInoiXQ"}, "after"),
    ],
)
async def test_page_arguments_are_checked(
    shop: ReportsClient, document: str, variables: dict[str, Any], field: str
) -> None:
    await expect_error(shop, document, variables, "BAD_USER_INPUT", field)


async def test_broken_requests_get_graphql_errors_never_a_500(shop: ReportsClient) -> None:
    http = shop._http
    headers = {"Authorization": f"Bearer {shop.token}"}
    bad_json = await http.post(
        "/graphql", content=b"{not json", headers={**headers, "content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    unknown_field = await http.post("/graphql", json={"query": "{ me { nope } }"}, headers=headers)
    assert unknown_field.status_code == 200
    (error,) = unknown_field.json()["errors"]
    assert "Cannot query field 'nope'" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    syntax = await http.post("/graphql", json={"query": "{ me "}, headers=headers)
    assert syntax.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    wrong_type = await http.post(
        "/graphql",
        json={
            "query": UPSERT_PRODUCT,
            "variables": {"input": {"sku": "S", "name": "N", "price": "abc"}},
        },
        headers=headers,
    )
    assert wrong_type.status_code == 200
    assert wrong_type.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "price",
    }
    not_a_query = await http.post("/graphql", json={"query": 42}, headers=headers)
    assert not_a_query.status_code == 400


@pytest.mark.usefixtures("worker")
async def test_cancelling_or_retrying_in_the_wrong_state_is_a_conflict(shop: ReportsClient) -> None:
    job = (await shop.execute(REQUEST_REPORT, {"input": {"kind": "SALES", "format": "CSV"}}))[
        "requestReport"
    ]
    # Whether still PENDING, RUNNING or already done, it has not failed: no retry.
    await expect_error(shop, RETRY_REPORT, {"id": job["id"]}, "CONFLICT", None)
    assert (await wait_for_job(shop, job["id"]))["status"] == "COMPLETED"
    await expect_error(shop, CANCEL_REPORT, {"id": job["id"]}, "CONFLICT", None)
    await expect_error(shop, RETRY_REPORT, {"id": job["id"]}, "CONFLICT", None)


async def test_a_document_is_judged_the_same_every_time_it_is_sent(shop: ReportsClient) -> None:
    """Texts parsed or validated before are remembered; errors are never skipped by that."""
    http = shop._http
    headers = {"Authorization": f"Bearer {shop.token}"}
    too_many_tokens = "{ me { " + "id " * 2_100 + "} }"
    expected = [
        ("{ me { id } }", None),
        ("{ me { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ me ", "GRAPHQL_PARSE_FAILED"),
        (too_many_tokens, "GRAPHQL_PARSE_FAILED"),
    ]
    for _ in range(3):
        for query, code in expected:
            body = (await http.post("/graphql", json={"query": query}, headers=headers)).json()
            if code is None:
                assert "errors" not in body, body
            else:
                assert body["errors"][0]["extensions"]["code"] == code, (query[:30], body)
