"""Progress as a subscriber sees it, for every kind and format: it only rises, never by more
than 10 points from one event to the next, and its messages count what the file holds."""

from __future__ import annotations

import asyncio
import io
import itertools
import re
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from pypdf import PdfReader

from client.graphql_client import ReportsClient
from models.report_jobs import ReportFormat
from tests.support.factories import add_product, completed_order, request_report
from tests.support.stacks import StackFactory, signed_in
from tests.support.streams import watching
from tests.support.waiting import FINISHED, wait_for_job

# One order a day, each by a customer of its own, of two products: 400 rows for SALES,
# INVENTORY and CUSTOMERS, 800 for ORDERS. Each PDF has 13 pages or more, so a page
# rendered is a step of under 10 points.
PRODUCTS = 400
ORDERS = 400
LINE_ITEMS = 2 * ORDERS
ROWS = {"ORDERS": LINE_ITEMS, "SALES": ORDERS, "INVENTORY": PRODUCTS, "CUSTOMERS": ORDERS}
FIRST_DAY = datetime(2025, 1, 1, tzinfo=UTC)
# Line items (or rows) read at a time: 20 or so steps of progress while reading 400.
READ_CHUNK_ROWS = 20
SEEDING_CALLS_AT_ONCE = 8
MAX_STEP = 10

CASES = [(kind, report_format) for kind in ROWS for report_format in ReportFormat]
HEADLINES = {
    "ORDERS": "Reading orders",
    "SALES": "Reading sales",
    "INVENTORY": "Reading products",
    "CUSTOMERS": "Reading customers",
}
WRITING = re.compile(r"Writing rows (\d+)/(\d+)")
READING = re.compile(r"Reading line items (\d+)/(\d+) \((\d+) rows?\)")
RENDERED = re.compile(r"Rendered (\d+) of (\d+) pages?")
JOINING = re.compile(r"Joining (\d+) pages?")


@dataclass(frozen=True)
class Recording:
    job: dict[str, Any]
    events: list[dict[str, Any]]
    content: bytes

    @property
    def stages(self) -> list[str]:
        """The messages after the reading headline, before "Done"."""
        messages = [event["message"] for event in self.events]
        assert messages[-1] == "Done"
        return messages[3:-1]


async def at_most_a_few_at_once(calls: Iterable[Awaitable[Any]]) -> None:
    limit = asyncio.Semaphore(SEEDING_CALLS_AT_ONCE)

    async def one(call: Awaitable[Any]) -> None:
        async with limit:
            await call

    await asyncio.gather(*(one(call) for call in calls))


async def seed_shop(client: ReportsClient, database_url: str) -> None:
    """The products and orders through the API; then each order moved to a day of its own
    (the stack's database holds this account only)."""
    skus = [f"P-{index:03d}" for index in range(PRODUCTS)]
    await at_most_a_few_at_once(
        add_product(client, sku, f"Product {sku}", "2.50", stock=10) for sku in skus
    )
    await at_most_a_few_at_once(
        completed_order(
            client,
            f"Customer {index:03d}",
            f"customer{index:03d}@example.com",
            [(skus[index % PRODUCTS], 1), (skus[(index + 1) % PRODUCTS], 2)],
        )
        for index in range(ORDERS)
    )
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "UPDATE customer_order o SET completed_at = $1::timestamptz + d.n * interval '1 day'"
            " FROM (SELECT id, row_number() OVER (ORDER BY customer_email) - 1 AS n"
            " FROM customer_order) d WHERE o.id = d.id",
            FIRST_DAY,
        )
    finally:
        await connection.close()


@pytest.fixture(scope="module")
async def recorded(stack: StackFactory) -> dict[tuple[str, str], Recording]:
    """Every kind in every format built at once, each job's events recorded from the
    reportJobs subscription, and its file."""
    lab = await stack("progress-by-kind", read_chunk_rows=READ_CHUNK_ROWS)
    async with signed_in(lab) as client:
        await seed_shop(client, lab.database_url)
        async with watching(client) as stream:
            requested = {
                case: await request_report(client, kind=case[0], format=case[1]) for case in CASES
            }
            done = {
                case: await wait_for_job(client, job["id"], timeout=300)
                for case, job in requested.items()
            }
            for job in requested.values():
                await stream.wait_for_job(job["id"], FINISHED)
        contents = {
            case: (await client.download(job["downloadUrl"])).content for case, job in done.items()
        }
    return {
        case: Recording(done[case], stream.of(done[case]["id"]), contents[case]) for case in CASES
    }


@pytest.mark.parametrize(("kind", "report_format"), CASES)
def test_progress_only_rises_in_steps_of_ten_points_or_less(
    recorded: dict[tuple[str, str], Recording], kind: str, report_format: str
) -> None:
    recording = recorded[kind, report_format]
    assert recording.job["status"] == "COMPLETED", recording.job["error"]
    progress = [event["progress"] for event in recording.events]
    print(f"\n{kind} {report_format}: {len(progress)} events, progress {progress}")
    assert progress[0] == 0 and progress[-1] == 100
    assert progress == sorted(progress), "progress never goes down"
    steps = [later - earlier for earlier, later in itertools.pairwise(progress)]
    assert max(steps) <= MAX_STEP, f"a subscriber sees every {MAX_STEP} points: {progress}"


@pytest.mark.parametrize("kind", ["ORDERS", "INVENTORY"])
def test_csv_of_rows_counts_the_rows_written(
    recorded: dict[tuple[str, str], Recording], kind: str
) -> None:
    recording = recorded[kind, "CSV"]
    rows = ROWS[kind]
    assert recording.job["rowCount"] == rows
    assert len(recording.content.splitlines()) == 1 + rows
    assert [event["message"] for event in recording.events[:3]] == [
        "Queued",
        "Starting",
        HEADLINES[kind],
    ]
    written = [_numbers(WRITING, message) for message in recording.stages]
    assert all(total == rows for _, total in written), recording.stages
    assert [done for done, _ in written] == sorted(done for done, _ in written)
    assert recording.stages[-1] == f"Writing rows {rows}/{rows}"


@pytest.mark.parametrize("kind", ["SALES", "CUSTOMERS"])
def test_csv_of_aggregates_counts_line_items_read_and_rows_made(
    recorded: dict[tuple[str, str], Recording], kind: str
) -> None:
    recording = recorded[kind, "CSV"]
    rows = ROWS[kind]
    assert recording.job["rowCount"] == rows
    assert len(recording.content.splitlines()) == 1 + rows
    assert recording.events[2]["message"] == HEADLINES[kind]
    _check_reading(recording.stages, rows)


@pytest.mark.parametrize("kind", list(ROWS))
def test_pdf_counts_its_real_pages(recorded: dict[tuple[str, str], Recording], kind: str) -> None:
    recording = recorded[kind, "PDF"]
    assert recording.job["rowCount"] == ROWS[kind]
    pages = len(PdfReader(io.BytesIO(recording.content)).pages)
    assert recording.events[2]["message"] == HEADLINES[kind]
    stages = recording.stages
    reading = [message for message in stages if READING.fullmatch(message)]
    rendering = stages[len(reading) :]
    if kind in ("SALES", "CUSTOMERS"):
        # Rows made of line items: how many pages is known only once every one is read.
        _check_reading(reading, ROWS[kind])
    else:
        assert reading == [], "the pages are known from the start"
    assert rendering[-1] == f"Joining {pages} pages", stages
    rendered = [_numbers(RENDERED, message) for message in rendering[:-1]]
    assert rendered, stages
    assert all(total == pages for _, total in rendered), stages
    counts = [done for done, _ in rendered]
    assert counts == sorted(counts) and counts[-1] <= pages, stages


def _check_reading(stages: list[str], rows: int) -> None:
    """Line items read of all, and rows made of them so far: both only rise, to all."""
    read = [_numbers(READING, message) for message in stages]
    assert read, "no reading stage"
    assert all(total == LINE_ITEMS for _, total, _ in read), stages
    for counts in ([done for done, _, _ in read], [made for _, _, made in read]):
        assert counts == sorted(counts), stages
    assert stages[-1] == f"Reading line items {LINE_ITEMS}/{LINE_ITEMS} ({rows} rows)"


def _numbers(pattern: re.Pattern[str], message: str) -> tuple[int, ...]:
    found = pattern.fullmatch(message)
    assert found, f"{message!r} is not {pattern.pattern!r}"
    return tuple(int(number) for number in found.groups())
