"""PDFs rendered in batches across the render pool still read as one document, and a
cancelled one leaves no file behind, even from batches still rendering."""

from __future__ import annotations

import asyncio
import io
import math
import re
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from bench.seed_orders import customer_name, insert_completed_orders
from client.graphql_client import ReportsClient
from models.report_jobs import ReportFormat
from models.settings import Settings
from tests.support.documents import CANCEL_REPORT, ME
from tests.support.factories import request_report
from tests.support.stacks import StackFactory, signed_in
from tests.support.waiting import eventually, wait_for_job
from workers.renderers.pdf_document import FIRST_PAGE_ROWS, ROWS_PER_PAGE
from workers.renderers.pdf_renderer import BATCH_ROWS

# Page 1, two whole batches and part of a third.
ROWS = FIRST_PAGE_ROWS + 2 * BATCH_ROWS + ROWS_PER_PAGE + 5
# Enough that rendering takes seconds, so the cancel finds batches in the pool.
CANCELLED_ROWS = 3_000
MAY = datetime(2026, 5, 1, tzinfo=UTC)


async def seed(lab: Settings, client: ReportsClient, rows: int) -> None:
    account_id = (await client.execute(ME))["me"]["id"]
    await insert_completed_orders(lab.database_url, account_id, rows, MAY)


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def files_of(lab: Settings) -> list[Path]:
    """The report files under REPORTS_DIR (not the mail outbox beside them)."""
    return [
        path
        for path in lab.reports_dir.rglob("*")
        if path.is_file() and lab.outbox_dir not in path.parents
    ]


async def test_a_pdf_of_several_batches_is_one_document_with_numbered_pages(
    stack: StackFactory,
) -> None:
    lab = await stack("pdf-batches")
    async with signed_in(lab) as client:
        await seed(lab, client, ROWS)
        job = await request_report(client, kind="ORDERS", format="PDF", title="Batched orders")
        done = await wait_for_job(client, job["id"], timeout=120)
        assert done["status"] == "COMPLETED", done["error"]
        content = (await client.download(done["downloadUrl"])).content
    pages = pdf_pages(content)
    assert len(pages) == 1 + math.ceil((ROWS - FIRST_PAGE_ROWS) / ROWS_PER_PAGE)
    names = [re.findall(r"Customer \d{5}", text) for text in pages]
    assert [name for page in names for name in page] == [customer_name(i) for i in range(ROWS)]
    assert [len(page) for page in names[:-1]] == [FIRST_PAGE_ROWS] + [ROWS_PER_PAGE] * (
        len(pages) - 2
    ), "every page but the last is full: batches end where pages do"
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert text.count("Page ") == 1, f"one page number on page {number}"
        assert "order_id" in text and "line_total" in text, f"column header on page {number}"
    assert "Batched orders" in pages[0] and "Summary" in pages[0]
    assert f"Line items\n{ROWS}" in pages[0]
    for text in pages[1:]:
        assert "Batched orders" not in text and "Summary" not in text
    assert [path.suffix for path in files_of(lab)] == [f".{ReportFormat.PDF.extension}"], (
        "batch files are removed"
    )


async def test_a_cancelled_pdf_leaves_no_files_even_from_batches_in_flight(
    stack: StackFactory,
) -> None:
    lab = await stack("pdf-batches-cancel")
    async with signed_in(lab) as client:
        await seed(lab, client, CANCELLED_ROWS)
        job = await request_report(client, kind="ORDERS", format="PDF")
        await eventually(
            lambda: files_of(lab),
            lambda files: any(".batch" in path.name for path in files),
            what="a rendered batch",
            timeout=60,
        )
        cancelled = (await client.execute(CANCEL_REPORT, {"id": job["id"]}))["cancelReport"]
        assert cancelled["status"] == "CANCELLED"
        # Batches already rendering cannot be stopped: their files go when they end.
        await eventually(lambda: files_of(lab), lambda files: not files, what="no file", timeout=30)
        # Longer than a batch takes to render: nothing reappears.
        await asyncio.sleep(5)
        assert files_of(lab) == []
        assert (await wait_for_job(client, job["id"]))["status"] == "CANCELLED"
