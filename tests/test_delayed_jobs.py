"""Jobs asked for later (runAt): they wait PENDING, start on time and not before, can be
cancelled while they wait, and outlive a worker and a Redis that lost its data."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as redis

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.report_jobs import ReportJob
from models.settings import Settings
from service.processes import running_api, running_worker
from tests.support.clients import register
from tests.support.documents import CANCEL_REPORT, REPORT_JOB
from tests.support.factories import request_report
from tests.support.stacks import StackFactory, fast_recovery
from tests.support.waiting import wait_for_job

WAIT_SECONDS = 3


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


async def depth(client: ReportsClient, field: str) -> dict[str, int]:
    stats = (
        await client.execute(
            f"{{ reportStats {{ {field} {{ priority count }} }} }}",
        )
    )["reportStats"][field]
    return {entry["priority"]: entry["count"] for entry in stats}


async def forget_the_queue(lab: Settings, job_id: str) -> None:
    """What a Redis restart does to a Redis that keeps nothing on disk: the queue and
    arq's records of the job are gone (the stack's and the job's keys only)."""
    client = redis.Redis.from_url(lab.redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{lab.queue_name}*")]
        keys += [key async for key in client.scan_iter(match=f"arq:*{job_id}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def test_a_job_asked_for_later_waits_and_starts_on_time(stack: StackFactory) -> None:
    lab = await stack("delayed-on-time", **fast_recovery())
    with running_api(lab) as url, running_worker(lab):
        async with ReportsClient(url) as client:
            await register(client)
            asked = later(WAIT_SECONDS)
            job = await request_report(client, kind="SALES", format="CSV", runAt=asked)
            assert job["status"] == "PENDING" and parse(job["runAt"]) == parse(asked)
            assert job["message"] == "Waiting for its start time"
            assert (await depth(client, "delayedDepth"))["NORMAL"] == 1
            assert (await depth(client, "queueDepth"))["NORMAL"] == 0, "not due yet"
            done = await wait_for_job(client, job["id"], timeout=30)
    assert done["status"] == "COMPLETED"
    late = (parse(done["startedAt"]) - parse(asked)).total_seconds()
    assert late >= 0, "not before its time"
    print(f"runAt to startedAt: {late:.3f} s")


async def test_cancelled_while_it_waits_it_never_runs(stack: StackFactory) -> None:
    lab = await stack("delayed-cancel", **fast_recovery())
    with running_api(lab) as url, running_worker(lab):
        async with ReportsClient(url) as client:
            await register(client)
            job = await request_report(client, kind="SALES", format="CSV", runAt=later(1.5))
            cancelled = (await client.execute(CANCEL_REPORT, {"id": job["id"]}))["cancelReport"]
            assert cancelled["status"] == "CANCELLED"
            await asyncio.sleep(3)  # past its time, and a sweep or two
            still = (await client.execute(REPORT_JOB, {"id": job["id"]}))["reportJob"]
    assert (still["status"], still["attempts"], still["startedAt"]) == ("CANCELLED", 0, None)


async def test_it_outlives_a_worker_restart_and_a_redis_that_lost_its_data(
    stack: StackFactory,
) -> None:
    lab = await stack("delayed-restarts", **fast_recovery())
    with running_api(lab) as url, contextlib.ExitStack() as workers:
        async with ReportsClient(url) as client:
            await register(client)
            first = workers.enter_context(running_worker(lab))
            asked = later(WAIT_SECONDS)
            job = await request_report(client, kind="SALES", format="CSV", runAt=asked)
            first.terminate()
            first.wait(timeout=30)
            await forget_the_queue(lab, job["id"])
            workers.enter_context(running_worker(lab))
            done = await wait_for_job(client, job["id"], timeout=30)
    assert done["status"] == "COMPLETED" and parse(done["startedAt"]) >= parse(asked)


@pytest.mark.parametrize(
    "run_at",
    [
        (datetime.now(UTC) + timedelta(days=3650)).isoformat(),
        (datetime.now(UTC) + timedelta(days=367)).isoformat(),
        "2030-01-01T00:00:00",
    ],
)
async def test_run_at_too_far_or_without_an_offset_is_refused(
    user: ReportsClient, run_at: str
) -> None:
    account = (await user.execute("{ me { id } }"))["me"]["id"]
    with pytest.raises(GraphQLResponseError) as caught:
        await request_report(user, kind="SALES", format="CSV", runAt=run_at)
    assert caught.value.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "runAt"}
    assert await ReportJob.filter(account_id=account).count() == 0


async def test_run_at_in_the_past_means_now(user: ReportsClient) -> None:
    job: dict[str, Any] = await request_report(user, kind="SALES", format="CSV", runAt=later(-3600))
    assert (job["status"], job["runAt"], job["message"]) == ("PENDING", None, "Queued")


@pytest.mark.parametrize(
    "deliver_to",
    [
        [{}],
        [{"email": "a@example.com", "webhookUrl": "http://hooks.example.com/"}],
        [{"email": "not an email"}],
        [{"webhookUrl": "not a url"}],
        [{"email": f"u{i}@example.com"} for i in range(11)],
    ],
)
async def test_bad_delivery_targets_are_refused_and_create_nothing(
    user: ReportsClient, deliver_to: list[dict[str, str]]
) -> None:
    account = (await user.execute("{ me { id } }"))["me"]["id"]
    with pytest.raises(GraphQLResponseError) as caught:
        await request_report(user, kind="SALES", format="CSV", deliverTo=deliver_to)
    assert caught.value.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "deliverTo"}
    assert await ReportJob.filter(account_id=account).count() == 0
