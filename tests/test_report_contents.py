"""Every report kind in both formats, on known data, checked value by value."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader
from starlette.applications import Starlette

from client.graphql_client import ReportsClient
from tests.support.clients import in_process_client, register
from tests.support.documents import CANCEL_ORDER
from tests.support.factories import add_product, completed_order, create_order, request_report
from tests.support.waiting import wait_for_job

pytestmark = pytest.mark.usefixtures("worker")

ORDERS_COLUMNS = [
    "order_id",
    "completed_at",
    "customer_name",
    "customer_email",
    "sku",
    "product_name",
    "quantity",
    "unit_price",
    "line_total",
]


@pytest.fixture(scope="module")
async def shop(app: Starlette) -> AsyncIterator[dict[str, Any]]:
    """One account with three products and five orders, three of them completed."""
    async with in_process_client(app) as client:
        await register(client)
        await add_product(client, "A-1", "Anvil", "2.50", stock=100)
        await add_product(client, "B-2", "Bolt, large", "10.00", stock=100)
        await add_product(client, "C-3", "Chisel", "0.99", stock=100)
        o1 = await completed_order(
            client,
            "Ann",
            "ann@example.com",
            [("A-1", 2), ("B-2", 1)],
            datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        )
        o2 = await completed_order(
            client, "Bob", "bob@example.com", [("B-2", 3)], datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
        )
        o3 = await completed_order(
            client,
            "Ann Smith",
            "ann@example.com",
            [("A-1", 1)],
            datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        )
        await create_order(client, "Carl", "carl@example.com", [("A-1", 5)])
        cancelled = await create_order(client, "Dana", "dana@example.com", [("B-2", 1)])
        await client.execute(CANCEL_ORDER, {"id": cancelled["id"]})
        yield {"client": client, "orders": [o1, o2, o3]}


async def build(client: ReportsClient, **request: Any) -> tuple[dict[str, Any], bytes]:
    job = await request_report(client, **request)
    assert job["status"] == "PENDING"
    done = await wait_for_job(client, job["id"])
    assert done["status"] == "COMPLETED", done["error"]
    response = await client.download(done["downloadUrl"])
    assert response.status_code == 200
    assert done["fileSize"] == len(response.content)
    return done, response.content


def csv_rows(content: bytes) -> list[list[str]]:
    assert not content.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


async def test_orders_csv_has_one_row_per_completed_line_item(shop: dict[str, Any]) -> None:
    job, content = await build(shop["client"], kind="ORDERS", format="CSV")
    o1, o2, o3 = shop["orders"]
    assert csv_rows(content) == [
        ORDERS_COLUMNS,
        [
            o1["id"],
            "2026-03-01T10:00:00+00:00",
            "Ann",
            "ann@example.com",
            "A-1",
            "Anvil",
            "2",
            "2.50",
            "5.00",
        ],
        [
            o1["id"],
            "2026-03-01T10:00:00+00:00",
            "Ann",
            "ann@example.com",
            "B-2",
            "Bolt, large",
            "1",
            "10.00",
            "10.00",
        ],
        [
            o2["id"],
            "2026-03-01T23:30:00+00:00",
            "Bob",
            "bob@example.com",
            "B-2",
            "Bolt, large",
            "3",
            "10.00",
            "30.00",
        ],
        [
            o3["id"],
            "2026-03-02T08:00:00+00:00",
            "Ann Smith",
            "ann@example.com",
            "A-1",
            "Anvil",
            "1",
            "2.50",
            "2.50",
        ],
    ]
    assert b'"Bolt, large"' in content, "RFC 4180 quoting"
    assert content.count(b"\r\n") == 5
    assert job["rowCount"] == 4
    assert job["summary"] == {"orders": 3, "lineItems": 4, "units": 7, "totalSales": "47.50"}
    assert job["progress"] == 100


async def test_sales_csv_has_one_row_per_day(shop: dict[str, Any]) -> None:
    job, content = await build(shop["client"], kind="SALES", format="CSV")
    assert csv_rows(content) == [
        ["date", "orders", "units", "revenue", "average_order_value"],
        ["2026-03-01", "2", "6", "45.00", "22.50"],
        ["2026-03-02", "1", "1", "2.50", "2.50"],
    ]
    assert job["summary"] == {
        "days": 2,
        "orders": 3,
        "units": 7,
        "totalSales": "47.50",
        "averageOrderValue": "15.83",
        "topProduct": {"sku": "B-2", "name": "Bolt, large", "units": 4, "revenue": "40.00"},
    }


async def test_inventory_csv_has_every_product(shop: dict[str, Any]) -> None:
    job, content = await build(shop["client"], kind="INVENTORY", format="CSV")
    assert csv_rows(content) == [
        ["sku", "product_name", "price", "stock", "units_sold", "revenue"],
        ["A-1", "Anvil", "2.50", "97", "3", "7.50"],
        ["B-2", "Bolt, large", "10.00", "96", "4", "40.00"],
        ["C-3", "Chisel", "0.99", "100", "0", "0.00"],
    ]
    assert job["summary"]["totalSales"] == "47.50"
    assert job["summary"]["products"] == 3


async def test_customers_csv_uses_the_latest_name(shop: dict[str, Any]) -> None:
    job, content = await build(shop["client"], kind="CUSTOMERS", format="CSV")
    assert csv_rows(content) == [
        [
            "customer_email",
            "customer_name",
            "orders",
            "units",
            "revenue",
            "first_order_at",
            "last_order_at",
        ],
        [
            "ann@example.com",
            "Ann Smith",
            "2",
            "4",
            "17.50",
            "2026-03-01T10:00:00+00:00",
            "2026-03-02T08:00:00+00:00",
        ],
        [
            "bob@example.com",
            "Bob",
            "1",
            "3",
            "30.00",
            "2026-03-01T23:30:00+00:00",
            "2026-03-01T23:30:00+00:00",
        ],
    ]
    assert job["summary"]["customers"] == 2


async def test_date_range_is_inclusive_on_utc_completion_dates(shop: dict[str, Any]) -> None:
    _, orders = await build(
        shop["client"], kind="ORDERS", format="CSV", dateFrom="2026-03-02", dateTo="2026-03-02"
    )
    assert [row[4] for row in csv_rows(orders)[1:]] == ["A-1"]
    _, sales = await build(
        shop["client"], kind="SALES", format="CSV", dateFrom="2026-03-01", dateTo="2026-03-01"
    )
    assert csv_rows(sales)[1:] == [["2026-03-01", "2", "6", "45.00", "22.50"]]
    _, inventory = await build(
        shop["client"], kind="INVENTORY", format="CSV", dateFrom="2026-03-02"
    )
    assert [row[4:] for row in csv_rows(inventory)[1:]] == [
        ["1", "2.50"],
        ["0", "0.00"],
        ["0", "0.00"],
    ]
    _, customers = await build(shop["client"], kind="CUSTOMERS", format="CSV", dateTo="2026-02-28")
    assert csv_rows(customers)[1:] == []


@pytest.mark.parametrize(
    ("kind", "expected_texts"),
    [
        ("ORDERS", ["order_id", "line_total", "Bolt, large", "30.00", "Total sales", "47.50"]),
        ("SALES", ["average_order_value", "2026-03-01", "45.00", "22.50", "Top product", "B-2"]),
        ("INVENTORY", ["units_sold", "Chisel", "0.99", "97", "Stock value"]),
        ("CUSTOMERS", ["first_order_at", "Ann Smith", "17.50", "Customers"]),
    ],
)
async def test_pdf_is_a_titled_document_with_the_same_rows(
    shop: dict[str, Any], kind: str, expected_texts: list[str]
) -> None:
    job, content = await build(shop["client"], kind=kind, format="PDF")
    (text,) = pdf_pages(content)
    assert f"{kind.capitalize()} report" in text
    assert "Period: All time" in text
    assert "Generated at:" in text
    assert "Page 1 of 1" in text
    for expected in expected_texts:
        assert expected in text, expected
    assert job["fileSize"] == len(content)


async def test_pdf_title_period_and_header_repeat_on_every_page(app: Starlette) -> None:
    async with in_process_client(app) as client:
        await register(client)
        await add_product(client, "P-1", "Paper", "1.25", stock=10_000)
        for index in range(60):
            await completed_order(
                client,
                f"Customer {index}",
                f"c{index}@example.com",
                [("P-1", 1), ("P-1", 2)],
                datetime(2026, 5, 1 + index % 20, 12, 0, tzinfo=UTC),
            )
        job, content = await build(
            client,
            kind="ORDERS",
            format="PDF",
            title="May paper orders",
            dateFrom="2026-05-01",
            dateTo="2026-05-31",
        )
    pages = pdf_pages(content)
    assert job["rowCount"] == 120
    assert len(pages) >= 3
    assert "May paper orders" in pages[0]
    assert "Period: 2026-05-01 to 2026-05-31" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert "order_id" in text and "line_total" in text, f"header missing on page {number}"
        assert f"Page {number} of {len(pages)}" in text
    assert sum(text.count("Paper") for text in pages) == 120


async def test_what_a_spreadsheet_would_run_is_written_as_text_in_csv_only(
    user: ReportsClient,
) -> None:
    """OWASP's advice: a ' before a cell users typed that starts like a formula, in every
    kind's text columns; numbers stay numbers, and a PDF shows the name as typed."""
    await add_product(user, "=1+1", "@SUM(1,2)", "2.00", stock=5)
    await completed_order(user, "+Ann", "-ann@example.com", [("=1+1", 2)])
    wanted = {
        "ORDERS": ["'+Ann", "'-ann@example.com", "'=1+1", "'@SUM(1,2)", "2", "2.00", "4.00"],
        "INVENTORY": ["'=1+1", "'@SUM(1,2)", "2.00", "3", "2", "4.00"],
        "CUSTOMERS": ["'-ann@example.com", "'+Ann", "1", "2", "4.00"],
    }
    for kind, cells in wanted.items():
        _, content = await build(user, kind=kind, format="CSV")
        (row,) = csv_rows(content)[1:]
        assert [cell for cell in row if cell in cells] == cells, (kind, row)
    _, pdf = await build(user, kind="INVENTORY", format="PDF")
    assert "=1+1" in pdf_pages(pdf)[0] and "'=1+1" not in pdf_pages(pdf)[0]
