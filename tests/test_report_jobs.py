"""Report job operations: queued at once, cancel, retry, delete, size limits, listing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.report_jobs import ReportFormat
from models.report_jobs import ReportJob as ReportJobModel
from schema.http.downloads import EXPIRED_MESSAGE
from service.processes import running_worker
from tests.support.documents import (
    CANCEL_REPORT,
    DELETE_REPORT,
    REGENERATE_REPORT,
    REPORT_JOB,
    REPORT_JOBS,
    RETRY_REPORT,
)
from tests.support.factories import add_product, completed_order, request_report
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.waiting import wait_for_job


async def test_cancel_of_pending_means_it_never_runs_and_retry_builds_it(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    quiet = await stack("cancel-pending")
    client = await signed_in_client(quiet)
    await add_product(client, "R-1", "Rope", "5.00")
    await completed_order(client, "Ann", "ann@example.com", [("R-1", 2)])
    # No worker consumes this queue yet, so the job is certainly still PENDING.
    job = await request_report(client, kind="ORDERS", format="CSV", priority="URGENT")
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
        await asyncio.sleep(1)  # a worker that would run it has had the time to
        still = (await client.execute(REPORT_JOB, {"id": job["id"]}))["reportJob"]
        assert (still["status"], still["attempts"], still["version"]) == ("CANCELLED", 0, 2)
        retried = (await client.execute(RETRY_REPORT, {"id": job["id"]}))["retryReport"]
        assert (retried["status"], retried["error"], retried["finishedAt"]) == (
            "PENDING",
            None,
            None,
        )
        done = await wait_for_job(client, job["id"])
    assert done["status"] == "COMPLETED"
    assert (done["rowCount"], done["attempts"]) == (1, 1)
    assert done["downloadUrl"]


async def test_a_pdf_over_the_row_limit_fails_at_once_with_a_pointer_to_csv(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    small_pdfs = await stack("pdf-limit", pdf_max_rows=3)
    client = await signed_in_client(small_pdfs)
    with running_worker(small_pdfs):
        await add_product(client, "L-1", "Line", "1.00")
        await completed_order(client, "Ann", "ann@example.com", [("L-1", 1)] * 4)
        job = await request_report(client, kind="ORDERS", format="PDF")
        failed = await wait_for_job(client, job["id"])
        sales = await wait_for_job(
            client, (await request_report(client, kind="SALES", format="PDF"))["id"]
        )
    assert failed["status"] == "FAILED"
    assert failed["attempts"] == 1, "a permanent failure is not retried"
    assert "more than 3 rows" in failed["error"] and "CSV" in failed["error"]
    assert failed["downloadUrl"] is None
    assert not list((small_pdfs.reports_dir / ReportFormat.PDF.extension).glob(f"{job['id']}*"))
    assert sales["status"] == "COMPLETED", "one row a day fits"


@pytest.mark.usefixtures("worker")
async def test_delete_removes_the_job_and_its_file(user: ReportsClient) -> None:
    await add_product(user, "D-1", "Doomed", "1.00")
    job = await wait_for_job(
        user, (await request_report(user, kind="INVENTORY", format="CSV"))["id"]
    )
    assert (await user.download(job["downloadUrl"])).status_code == 200
    assert (await user.execute(DELETE_REPORT, {"id": job["id"]}))["deleteReport"] is True
    assert (await user.execute(REPORT_JOB, {"id": job["id"]}))["reportJob"] is None
    assert (await user.download(job["downloadUrl"])).status_code == 404
    with pytest.raises(GraphQLResponseError) as caught:
        await user.execute(DELETE_REPORT, {"id": job["id"]})
    assert caught.value.codes == ["NOT_FOUND"]


@pytest.mark.usefixtures("worker")
async def test_a_report_is_not_served_past_its_expiry_even_before_the_clean_up(
    user: ReportsClient,
) -> None:
    await add_product(user, "E-1", "Expiring", "1.00")
    job = await wait_for_job(
        user, (await request_report(user, kind="INVENTORY", format="CSV"))["id"]
    )
    assert (await user.download(job["downloadUrl"])).status_code == 200
    # What the retention leaves a moment after expiresAt: the clean-up has not run yet.
    await ReportJobModel.filter(id=job["id"]).update(expires_at=datetime.now(UTC))
    expired = await user.download(job["downloadUrl"])
    assert (expired.status_code, expired.text) == (410, EXPIRED_MESSAGE)


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


async def test_regenerate_makes_a_new_job_like_a_completed_one_and_leaves_it_alone(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("regenerate-completed")
    client = await signed_in_client(lab)
    await add_product(client, "G-1", "Gear", "3.00")
    await completed_order(client, "Ann", "ann@example.com", [("G-1", 2)])
    asked = {
        "kind": "ORDERS",
        "format": "CSV",
        "priority": "HIGH",
        "title": "Gear orders",
        "dateFrom": "2000-01-01",
        "dateTo": "2099-12-31",
    }
    with running_worker(lab):
        old = await wait_for_job(client, (await request_report(client, **asked))["id"])
        new = (await client.execute(REGENERATE_REPORT, {"id": old["id"]}))["regenerateReport"]
        assert new["id"] != old["id"] and new["status"] == "PENDING"
        for field, value in asked.items():
            assert new[field] == value, field
        done = await wait_for_job(client, new["id"])
        again = (await client.execute(REPORT_JOB, {"id": old["id"]}))["reportJob"]
    assert done["status"] == "COMPLETED" and done["downloadUrl"] != old["downloadUrl"]
    assert (again["status"], again["version"]) == ("COMPLETED", old["version"]), "untouched"
    old_file = await client.download(again["downloadUrl"])
    new_file = await client.download(done["downloadUrl"])
    assert old_file.status_code == new_file.status_code == 200
    assert old_file.content == new_file.content, "same parameters, same data, same report"


async def test_regenerate_a_failed_job_and_an_unknown_one(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    small_pdfs = await stack("regenerate-failed", pdf_max_rows=1)
    client = await signed_in_client(small_pdfs)
    await add_product(client, "F-1", "Fuse", "1.00")
    await completed_order(client, "Ann", "ann@example.com", [("F-1", 1)] * 2)
    with running_worker(small_pdfs):
        failed = await wait_for_job(
            client, (await request_report(client, kind="ORDERS", format="PDF"))["id"]
        )
        assert failed["status"] == "FAILED"
        new = (await client.execute(REGENERATE_REPORT, {"id": failed["id"]}))["regenerateReport"]
        assert (new["status"], new["attempts"], new["error"]) == ("PENDING", 0, None)
        assert (new["kind"], new["format"]) == ("ORDERS", "PDF")
        await wait_for_job(client, new["id"])
        old = (await client.execute(REPORT_JOB, {"id": failed["id"]}))["reportJob"]
    assert (old["status"], old["version"]) == ("FAILED", failed["version"])
    with pytest.raises(GraphQLResponseError) as caught:
        await client.execute(REGENERATE_REPORT, {"id": "00000000-0000-0000-0000-000000000000"})
    assert caught.value.codes == ["NOT_FOUND"]
