"""ORDERS CSV written by PostgreSQL's COPY: the same bytes and totals as the row path,
progress, prompt cancellation, and no deadlock when many run at once."""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from starlette.applications import Starlette

from models.catalog import Product
from models.orders import Order, OrderItem, OrderStatus
from models.settings import Settings
from tests.support.clients import in_process_client, register
from tests.support.documents import CANCEL_REPORT, ME
from tests.support.factories import request_report
from tests.support.files import report_files, temp_files
from tests.support.stacks import StackFactory, fast_recovery, signed_in
from tests.support.streams import watching
from tests.support.waiting import eventually, job, wait_for_job
from workers.csv_copy import CsvLineEnds, can_copy, copy_snapshot
from workers.renderers.base import DocumentInfo, RenderResources
from workers.renderers.csv_renderer import CsvRenderer
from workers.reports.orders import OrdersReport
from workers.reports.scope import ReportScope
from workers.storage import SerialFileIO
from workers.storage.local import LocalReportFile

# Names that need quoting, or look as if they might; some the API would refuse, which
# the database may hold all the same (written before today's checks, or imported).
PRODUCTS = [
    ("A,1", "Anvil, large", "2.50"),
    ('Q"2', 'The "best" quote', "0.01"),
    ("NL-3", "Line\nbreak", "10.00"),
    ("CR-4", "Carriage\rreturn\r\nand both", "1234567.89"),
    ("U-5", "Ünïcødé ☃ 日本語", "0.00"),
    ("SP-6", "  spaced  ", "3.33"),
    ("E-7", "", "7.77"),
    ("BS-8", "\\.", "1.05"),
    ("QQ-9", '"', "99.99"),
    ("TAB-10", "tab\there;semi", "5.55"),
    # What a spreadsheet would run: written as text, a ' first (workers/csv_safety.py).
    ("=SUM(A1)", "@cmd|' /C calc'!A0", "4.00"),
    ("-1", "+plus", "6.00"),
    ("\tTAB", "\rCR", "8.00"),
]
CUSTOMERS = [
    ('O"Brien, Pat', "pat@example.com"),
    ("Zoë\nNewline", "zoe@example.com"),
    ("", "nameless@example.com"),
    ("Plain", "plain,comma@example.com"),
    ("", ""),
    ("Ann", "ann@example.com"),
    ('=HYPERLINK("http://x","y")', "-minus@example.com"),
]
MICROSECONDS = [0, 0, 1, 123456, 500000, 999999]
START = datetime(2026, 3, 1, tzinfo=UTC)
ORDER_COUNT = 400


@pytest.fixture(scope="module")
async def tricky_shop(app: Starlette) -> AsyncIterator[dict[str, Any]]:
    """An account with awkward names and times, hundreds of orders, and noise around them."""
    async with in_process_client(app) as client:
        account_id = uuid.UUID((await register(client))["user"]["id"])
        products = [
            await Product.create(account_id=account_id, sku=sku, name=name, price=Decimal(price))
            for sku, name, price in PRODUCTS
        ]
        chance = random.Random(5)
        items: list[OrderItem] = []
        for index in range(ORDER_COUNT):
            name, email = chance.choice(CUSTOMERS)
            status = OrderStatus.COMPLETED if index % 10 else OrderStatus.PENDING
            completed_at = START + timedelta(
                hours=index * 7, seconds=index, microseconds=chance.choice(MICROSECONDS)
            )
            order = await Order.create(
                account_id=account_id,
                customer_name=name,
                customer_email=email,
                status=status,
                total=Decimal(0),
                completed_at=completed_at if status is OrderStatus.COMPLETED else None,
            )
            for _ in range(chance.randint(1, 4)):
                product = chance.choice(products)
                quantity = chance.randint(1, 5)
                price = product.price
                items.append(
                    OrderItem(
                        order_id=order.id,
                        product_id=product.id,
                        quantity=quantity,
                        unit_price=price,
                        line_total=price * quantity,
                    )
                )
        await OrderItem.bulk_create(items)
        yield {"client": client, "account_id": account_id}


@pytest.fixture
def io() -> Iterator[SerialFileIO]:
    files = SerialFileIO()
    yield files
    files.close()


def _renderer(path: Path, io: SerialFileIO) -> CsvRenderer:
    info = DocumentInfo(
        "Orders",
        "All time",
        datetime.now(UTC),
        OrdersReport.columns,
        OrdersReport.free_text_columns,
    )
    output = LocalReportFile(path.parent, path.name, io)
    output.scratch = path  # written where the test reads it, never published
    return CsvRenderer(output, info, RenderResources(1, ThreadPoolExecutor(1)), io)


async def by_rows(scope: ReportScope, path: Path, io: SerialFileIO) -> dict[str, Any]:
    """The row path's file and summary (keyset batches through csv.writer)."""
    builder = OrdersReport(scope, 37)
    renderer = _renderer(path, io)
    async for chunk in builder.chunks():
        await renderer.write_rows(chunk.rows)
    await renderer.finish(builder.summary())
    return builder.summary()


async def by_copy(
    scope: ReportScope, path: Path, io: SerialFileIO, rows_per_block: int
) -> tuple[dict[str, Any], int, list[int]]:
    """The COPY path's file and summary, its row count and each block's rows."""
    renderer = _renderer(path, io)
    blocks: list[int] = []

    async def rows_written(rows: int) -> None:
        blocks.append(rows)

    async with copy_snapshot(OrdersReport(scope, 37).copy_plan()) as copy:
        assert copy.rows == copy.summary["lineItems"]
        rows = await copy.write_to(renderer, rows_written, rows_per_block)
        await renderer.finish(copy.summary)
    return copy.summary, rows, blocks


def test_line_ends_convert_the_same_wherever_blocks_are_cut() -> None:
    copied = b'a,"b\nc",d\n"x ""y"",\r\nz",,"\n"\n"\xc3\xbc\n",1\n"""",2\n'
    whole, records = CsvLineEnds().convert(copied)
    assert records == 4
    assert whole == b'a,"b\nc",d\r\n"x ""y"",\r\nz",,"\n"\r\n"\xc3\xbc\n",1\r\n"""",2\r\n'
    for cut in range(len(copied) + 1):
        for second in range(cut, len(copied) + 1):
            line_ends = CsvLineEnds()
            pieces = [
                line_ends.convert(part)
                for part in (copied[:cut], copied[cut:second], copied[second:])
            ]
            assert b"".join(p[0] for p in pieces) == whole
            assert sum(p[1] for p in pieces) == records


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (None, None),
        (date(2026, 3, 20), None),
        (None, date(2026, 3, 20)),
        (date(2026, 3, 10), date(2026, 3, 30)),
        (date(2030, 1, 1), None),
    ],
)
@pytest.mark.parametrize("rows_per_block", [3, 2000])
async def test_copy_writes_the_same_bytes_and_totals_as_the_row_path(
    tricky_shop: dict[str, Any],
    tmp_path: Path,
    io: SerialFileIO,
    date_from: date | None,
    date_to: date | None,
    rows_per_block: int,
) -> None:
    assert can_copy()
    scope = ReportScope(tricky_shop["account_id"], date_from, date_to)
    expected = await by_rows(scope, tmp_path / "rows.csv", io)
    summary, rows, blocks = await by_copy(scope, tmp_path / "copy.csv", io, rows_per_block)
    content = (tmp_path / "copy.csv").read_bytes()
    assert content == (tmp_path / "rows.csv").read_bytes()
    assert summary == expected
    assert rows == sum(blocks) == expected["lineItems"]
    if date_from is None and date_to is None:
        assert rows > 500, "the fixture has many rows"
        assert max(blocks) <= 2 * rows_per_block, "long blocks are cut"
        for needle in ('"Anvil, large"', '"Line\nbreak"', "Ünïcødé", ".500000+00:00"):
            assert needle.encode() in content
        for formula in (
            '"\'=HYPERLINK(""http://x"",""y"")"',
            "'-minus@example.com",
            "'=SUM(A1)",
            "'@cmd|' /C calc'!A0",
            "'-1,'+plus",
            "'\tTAB,\"'\rCR\"",
        ):
            assert formula.encode() in content, f"{formula!r} written as text"
        assert b",=" not in content and b",+" not in content and b",@" not in content
        assert re.search(rb"T\d\d:\d\d:\d\d\+00:00", content), "a time without a fraction"


async def test_the_worker_s_file_is_the_row_path_s(
    tricky_shop: dict[str, Any], tmp_path: Path, io: SerialFileIO, worker: None
) -> None:
    scope = ReportScope(tricky_shop["account_id"], date(2026, 3, 5), date(2026, 4, 30))
    expected = await by_rows(scope, tmp_path / "rows.csv", io)
    requested = await request_report(
        tricky_shop["client"],
        kind="ORDERS",
        format="CSV",
        dateFrom="2026-03-05",
        dateTo="2026-04-30",
    )
    done = await wait_for_job(tricky_shop["client"], requested["id"])
    assert done["status"] == "COMPLETED", done["error"]
    response = await tricky_shop["client"].download(done["downloadUrl"])
    assert response.content == (tmp_path / "rows.csv").read_bytes()
    assert done["summary"] == expected
    assert done["rowCount"] == expected["lineItems"] and done["fileSize"] == len(response.content)


async def seed_by_sql(database_url: str, account_id: str, orders: int, items: int) -> None:
    """`orders` completed orders of `items` line items each, written by PostgreSQL."""
    connection = await asyncpg.connect(database_url)
    try:
        product = uuid.uuid4()
        await connection.execute(
            "INSERT INTO product (id, account_id, sku, name, price, stock, created_at, updated_at)"
            " VALUES ($1, $2, 'BULK-1', 'Bulk, item', 1.50, 0, now(), now())",
            product,
            uuid.UUID(account_id),
        )
        await connection.execute(
            "INSERT INTO customer_order (id, account_id, customer_name, customer_email, status,"
            " total, created_at, completed_at) SELECT gen_random_uuid(), $1, 'Buyer ' || n,"
            " 'buyer' || n || '@example.com', $2, 1.50 * $3, now(), now() - n * interval '1 s'"
            " FROM generate_series(1, $4::int) AS n",
            uuid.UUID(account_id),
            OrderStatus.COMPLETED.value,
            items,
            orders,
        )
        await connection.execute(
            "INSERT INTO order_item (order_id, product_id, quantity, unit_price, line_total)"
            " SELECT o.id, $2, 1, 1.50, 1.50 FROM customer_order o,"
            " generate_series(1, $3::int) WHERE o.account_id = $1",
            uuid.UUID(account_id),
            product,
            items,
        )
    finally:
        await connection.close()


async def copy_backends(database_url: str) -> list[str]:
    """States of the server processes running (or holding open) a report's COPY."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database()"
            " AND query LIKE 'COPY (%' AND state <> 'idle' AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    return [row["state"] for row in rows]


async def seconds_until_stopped(lab: Settings, since: float) -> float:
    """Waits (5 s at most) until no temp file and no COPY is left; seconds since `since`."""

    async def left_behind() -> tuple[list[Path], list[str]]:
        return temp_files(lab), await copy_backends(lab.database_url)

    await eventually(
        left_behind, lambda left: left == ([], []), what="no temp file and no COPY", timeout=5
    )
    return time.monotonic() - since


@pytest.mark.parametrize(
    ("items", "server"),
    [
        # Megabytes: more than the socket buffers hold, so the server is still sending.
        (200_000, "active"),
        # All sent at once: the server is done before the worker has written a block.
        (600, "idle in transaction"),
    ],
)
async def test_cancelling_stops_the_copy_on_the_server_and_leaves_no_file(
    stack: StackFactory, items: int, server: str
) -> None:
    lab = await stack(f"copy-cancel-{items}", **fast_recovery(fault_chunk_delay_seconds=0.2))
    async with signed_in(lab) as client:
        me = await client.execute(ME)
        await seed_by_sql(lab.database_url, me["me"]["id"], orders=100, items=items // 100)
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            await watched.wait_for(
                lambda e: (
                    e["id"] == requested["id"] and (e["message"] or "").startswith("Writing rows ")
                )
            )
            assert await copy_backends(lab.database_url) == [server]
            cancelled = (await client.execute(CANCEL_REPORT, {"id": requested["id"]}))[
                "cancelReport"
            ]
            cancelled_at = time.monotonic()
            stopped_after = await seconds_until_stopped(lab, cancelled_at)
            # The worker's connection is back in its pool, and works.
            small = await request_report(client, kind="ORDERS", format="CSV", dateTo="2000-01-01")
            assert (await wait_for_job(client, small["id"]))["status"] == "COMPLETED"
        final = await job(client, requested["id"])
    print(f"\nthe COPY stopped and its partial file went {stopped_after:.2f} s after cancel")
    assert stopped_after < 2
    assert cancelled["status"] == "CANCELLED" and final["version"] == cancelled["version"]
    assert report_files(lab, requested["id"]) == [] and temp_files(lab) == []


async def test_more_copies_at_once_than_pooled_connections_all_finish(
    stack: StackFactory,
) -> None:
    lab = await stack("copy-many", **fast_recovery(fault_chunk_delay_seconds=0.05))
    async with signed_in(lab) as client:
        me = await client.execute(ME)
        await seed_by_sql(lab.database_url, me["me"]["id"], orders=4, items=50)
        requested = await asyncio.gather(
            *(request_report(client, kind="ORDERS", format="CSV") for _ in range(8))
        )
        done = [await wait_for_job(client, r["id"], timeout=30) for r in requested]
    assert [(d["status"], d["rowCount"]) for d in done] == [("COMPLETED", 200)] * 8
    assert {d["summary"]["totalSales"] for d in done} == {"300.00"}
