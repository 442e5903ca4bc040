"""A second account gets NOT_FOUND (or null) for every one of the first account's objects."""

from __future__ import annotations

from typing import Any

import pytest

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.download_links import download_path
from models.orders import Order
from models.report_jobs import ReportJob
from models.settings import Settings
from tests.support.documents import (
    CANCEL_ORDER,
    CANCEL_REPORT,
    COMPLETE_ORDER,
    ORDER,
    ORDERS,
    PRODUCTS,
    REPORT_JOB,
    REPORT_JOBS,
    RETRY_REPORT,
    UPSERT_PRODUCT,
    WATCH_JOB,
    WATCH_JOBS,
)
from tests.support.factories import add_product, create_order, request_report
from tests.support.stacks import SignedInClientFactory
from tests.support.streams import watching
from tests.support.waiting import FINISHED, wait_for_job

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture
async def owned(user: ReportsClient) -> dict[str, Any]:
    await add_product(user, "OWN-1", "Owned thing", "3.00", stock=5)
    order = await create_order(user, "Ann", "ann@example.com", [("OWN-1", 1)])
    job = await request_report(user, kind="INVENTORY", format="CSV")
    job = await wait_for_job(user, job["id"])
    return {"order": order, "job": job}


async def assert_not_found(client: ReportsClient, document: str, variables: dict[str, Any]) -> None:
    with pytest.raises(GraphQLResponseError) as caught:
        await client.execute(document, variables)
    assert caught.value.codes == ["NOT_FOUND"]


async def test_queries_answer_null_and_lists_stay_separate(
    owned: dict[str, Any], other_user: ReportsClient
) -> None:
    assert (await other_user.execute(ORDER, {"id": owned["order"]["id"]}))["order"] is None
    assert (await other_user.execute(REPORT_JOB, {"id": owned["job"]["id"]}))["reportJob"] is None
    assert (await other_user.execute(ORDERS, {}))["orders"]["totalCount"] == 0
    assert (await other_user.execute(REPORT_JOBS, {}))["reportJobs"]["totalCount"] == 0
    assert (await other_user.execute(PRODUCTS, {}))["products"]["totalCount"] == 0


async def test_mutations_answer_not_found_and_change_nothing(
    owned: dict[str, Any], other_user: ReportsClient
) -> None:
    order_id, job_id = owned["order"]["id"], owned["job"]["id"]
    for document in (COMPLETE_ORDER, CANCEL_ORDER):
        await assert_not_found(other_user, document, {"id": order_id})
    for document in (CANCEL_REPORT, RETRY_REPORT):
        await assert_not_found(other_user, document, {"id": job_id})
    assert (await Order.get(id=order_id)).status == "PENDING"
    job = await ReportJob.get(id=job_id)
    assert job.status == "COMPLETED" and job.version == owned["job"]["version"]


async def test_the_same_sku_in_another_account_is_another_product(
    owned: dict[str, Any], user: ReportsClient, other_user: ReportsClient
) -> None:
    await other_user.execute(
        UPSERT_PRODUCT, {"input": {"sku": "OWN-1", "name": "Mine now", "price": "9.00"}}
    )
    mine = (await user.execute(PRODUCTS, {}))["products"]["edges"][0]["node"]
    assert (mine["name"], mine["price"], mine["stock"]) == ("Owned thing", "3.00", 5)


async def test_subscriptions_are_not_found_and_never_leak_events(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    owner = await signed_in_client(api_url)
    stranger = await signed_in_client(api_url)
    await add_product(owner, "S-1", "Secret", "1.00")
    async with watching(stranger, WATCH_JOBS) as seen_by_stranger:
        own = await request_report(stranger, kind="SALES", format="CSV")
        job = await request_report(owner, kind="INVENTORY", format="CSV")
        with pytest.raises(GraphQLResponseError) as caught:
            async for _ in stranger.subscribe(WATCH_JOB, {"id": job["id"]}):
                pass
        assert caught.value.codes == ["NOT_FOUND"]
        owner_events = [event async for event in owner.subscribe(WATCH_JOB, {"id": job["id"]})]
        assert owner_events[-1]["reportJob"]["status"] == "COMPLETED"
        await wait_for_job(stranger, own["id"])
        await seen_by_stranger.wait_for_job(own["id"], FINISHED)
    seen_ids = {event["id"] for event in seen_by_stranger.events}
    assert seen_ids == {own["id"]}, "the stranger's stream works, and carries only its jobs"


async def test_download_links_cannot_be_forged_or_reused_for_another_job(
    owned: dict[str, Any], other_user: ReportsClient
) -> None:
    url = owned["job"]["downloadUrl"]
    assert url.startswith("/downloads/")
    token = url.removeprefix("/downloads/")
    good = await other_user.download(url)
    assert good.status_code == 200, "a signed link is a bearer credential, like a share link"
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (tampered, "x" + token, token.split(".")[0], "../../etc/passwd", ""):
        response = await other_user.download(f"/downloads/{bad}")
        assert response.status_code in {403, 404}, bad
        assert b"," not in response.content, "no report bytes"
    forged = await other_user.download(f"/downloads/{tampered}")
    assert forged.status_code == 403
    assert forged.content == b"This download link is invalid or has expired."


async def test_an_expired_download_link_is_refused(
    owned: dict[str, Any], user: ReportsClient, settings: Settings
) -> None:
    job = await ReportJob.get(id=owned["job"]["id"])
    expired = download_path(settings.secret_key, job.id, job.account_id, ttl_seconds=-1)
    response = await user.download(expired)
    assert response.status_code == 403
    assert b"expired" in response.content
    fresh = download_path(settings.secret_key, job.id, job.account_id, ttl_seconds=60)
    assert (await user.download(fresh)).status_code == 200


async def test_a_job_whose_file_is_gone_is_404_not_500(
    owned: dict[str, Any], user: ReportsClient, settings: Settings
) -> None:
    job = await ReportJob.get(id=owned["job"]["id"])
    assert job.file_path is not None
    (settings.reports_dir / job.file_path).unlink()
    response = await user.download(owned["job"]["downloadUrl"])
    assert response.status_code == 404
    assert response.text == "This report's file is gone."
