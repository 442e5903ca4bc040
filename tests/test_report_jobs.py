"""Report job operations: queued at once, cancel, retry, size limits, listing."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from client.graphql_client import ReportsClient
from models.report_jobs import ReportJob
from models.settings import Settings
from tests.conftest import isolated
from tests.documents import CANCEL_REPORT, REPORT_JOBS, RETRY_REPORT
from tests.factories import add_product, completed_order, request_report, wait_for_job
from tests.services import running_api, running_worker


async def test_request_returns_at_once_and_cancel_of_pending_means_it_never_runs(
    user: ReportsClient, settings: Settings
) -> None:
    quiet = isolated(settings, "cancel-pending")
    with running_api(quiet) as url:
        async with ReportsClient(url, token=user.token) as client:
            # No worker consumes this queue yet, so the job is certainly still PENDING.
            job = await request_report(client, kind="SALES", format="CSV", priority="URGENT")
            assert (job["status"], job["progress"], job["attempts"], job["priority"]) == (
                "PENDING",
                0,
                0,
                "URGENT",
            )
            assert job["downloadUrl"] is None and job["startedAt"] is None
            cancelled = (await client.execute(CANCEL_REPORT, {"id": job["id"]}))["cancelReport"]
            assert cancelled["status"] == "CANCELLED" and cancelled["finishedAt"] is not None
            with running_worker(quiet):
                await asyncio.sleep(1)
    stored = await ReportJob.get(id=job["id"])
    assert (stored.status, stored.attempts, stored.version) == ("CANCELLED", 0, 2)


@pytest.mark.usefixtures("worker")
async def test_retry_of_a_cancelled_job_builds_it(user: ReportsClient) -> None:
    await add_product(user, "R-1", "Rope", "5.00")
    await completed_order(user, "Ann", "ann@example.com", [("R-1", 2)])
    job = await request_report(user, kind="ORDERS", format="CSV")
    await user.execute(CANCEL_REPORT, {"id": job["id"]})
    done = await wait_for_job(user, job["id"])
    if done["status"] == "CANCELLED":
        retried = (await user.execute(RETRY_REPORT, {"id": job["id"]}))["retryReport"]
        assert retried["status"] == "PENDING" and retried["error"] is None
        done = await wait_for_job(user, job["id"])
    assert done["status"] == "COMPLETED"
    assert done["rowCount"] == 1 and done["downloadUrl"]


async def test_a_pdf_over_the_row_limit_fails_with_a_pointer_to_csv(
    user: ReportsClient, settings: Settings
) -> None:
    small_pdfs = replace(isolated(settings, "pdf-limit"), pdf_max_rows=3)
    await add_product(user, "L-1", "Line", "1.00")
    await completed_order(user, "Ann", "ann@example.com", [("L-1", 1)] * 4)
    with running_worker(small_pdfs), running_api(small_pdfs) as url:
        async with ReportsClient(url, token=user.token) as client:
            job = await request_report(client, kind="ORDERS", format="PDF")
            failed = await wait_for_job(client, job["id"])
    assert failed["status"] == "FAILED"
    assert "more than 3 rows" in failed["error"] and "CSV" in failed["error"]
    assert failed["downloadUrl"] is None
    assert not list(settings.reports_dir.glob(f"pdf/{job['id']}*"))


@pytest.mark.usefixtures("worker")
async def test_report_jobs_lists_newest_first_with_filters(user: ReportsClient) -> None:
    ids = [
        (await request_report(user, kind=kind, format="CSV"))["id"]
        for kind in ("SALES", "ORDERS", "SALES")
    ]
    listed = (await user.execute(REPORT_JOBS, {}))["reportJobs"]
    assert [edge["node"]["id"] for edge in listed["edges"]] == list(reversed(ids))
    sales = (await user.execute(REPORT_JOBS, {"kind": "SALES"}))["reportJobs"]
    assert sales["totalCount"] == 2
