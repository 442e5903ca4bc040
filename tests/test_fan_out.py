"""One API process: one Redis connection for all its subscribers, released on disconnect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as redis

from client.graphql_client import GRAPHQL_TRANSPORT_WS, GRAPHQL_WS, Protocol
from models.redis_keys import event_hub_client_name
from models.settings import Settings
from schema.live.shared_events import SHARED_RESULT_SECONDS
from service.processes import running_api_process
from tests.support.documents import CANCEL_REPORT, WATCH_JOB, WATCH_JOBS
from tests.support.factories import request_report
from tests.support.stacks import SignedInClientFactory, StackFactory, signed_in
from tests.support.streams import health, wait_for_subscriptions
from tests.support.waiting import eventually, wait_for_job

SUBSCRIBERS = 25


@dataclass(frozen=True)
class FanOutApi:
    url: str
    settings: Settings
    # The Redis client name of its event connection.
    event_client_name: str


@pytest.fixture(scope="module")
async def fan_out(stack: StackFactory) -> AsyncIterator[FanOutApi]:
    """One API process on a stack of its own, shared by this module's tests."""
    own = await stack("fan-out")
    with running_api_process(own) as (url, process):
        yield FanOutApi(url, own, event_hub_client_name(own.channel_prefix, process.pid))


async def event_connections(api: FanOutApi) -> int:
    """The Redis connections of the API's event subscription."""
    client = redis.Redis.from_url(api.settings.redis_url)
    try:
        clients = await client.client_list()
    finally:
        await client.aclose()
    return sum(1 for c in clients if c["name"] == api.event_client_name)


async def test_many_subscribers_share_one_connection_and_all_get_the_event(
    fan_out: FanOutApi, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(fan_out.url)
    received: list[list[dict[str, Any]]] = [[] for _ in range(SUBSCRIBERS)]

    async def listen(index: int) -> None:
        async for event in client.subscribe(WATCH_JOBS, {"status": ["CANCELLED"]}):
            received[index].append(event["reportJobs"])

    tasks = [asyncio.create_task(listen(i)) for i in range(SUBSCRIBERS)]
    assert await wait_for_subscriptions(fan_out.url, SUBSCRIBERS) == SUBSCRIBERS
    assert await event_connections(fan_out) == 1

    job = await request_report(client, kind="SALES", format="CSV")
    await client.execute(CANCEL_REPORT, {"id": job["id"]})
    await eventually(
        lambda: received, lambda lists: all(lists), what="an event for every subscriber"
    )
    assert all(
        [(e["id"], e["status"]) for e in events] == [(job["id"], "CANCELLED")]
        for events in received
    ), "each subscriber got the one CANCELLED change, and not the PENDING one"

    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert await wait_for_subscriptions(fan_out.url, 0) == 0
    assert await event_connections(fan_out) == 1


async def test_a_finished_job_stream_completes_and_is_released(
    fan_out: FanOutApi, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(fan_out.url)
    job = await request_report(client, kind="SALES", format="CSV")
    await client.execute(CANCEL_REPORT, {"id": job["id"]})
    events = [e["reportJob"] async for e in client.subscribe(WATCH_JOB, {"id": job["id"]})]
    assert [(e["status"], e["version"]) for e in events] == [("CANCELLED", 2)]
    assert (await health(fan_out.url))["subscriptions"] == 0


SHAPES: list[tuple[str, Protocol]] = [
    ("subscription { reportJobs { id status } }", GRAPHQL_TRANSPORT_WS),
    ("subscription { reportJobs { id status } }", GRAPHQL_TRANSPORT_WS),
    ("subscription { reportJobs { id status } }", GRAPHQL_WS),
    ("subscription { reportJobs { version kind downloadUrl } }", GRAPHQL_TRANSPORT_WS),
    ("subscription Named { job: reportJobs { state: status } }", GRAPHQL_WS),
]


async def test_subscribers_sharing_an_event_each_get_their_own_selection(
    fan_out: FanOutApi, signed_in_client: SignedInClientFactory
) -> None:
    """One event is executed once per distinct operation; everyone still gets what they asked."""
    client = await signed_in_client(fan_out.url)
    received: list[list[dict[str, Any]]] = [[] for _ in SHAPES]

    async def listen(index: int) -> None:
        query, protocol = SHAPES[index]
        async for event in client.subscribe(query, protocol=protocol):
            received[index].append(event)

    tasks = [asyncio.create_task(listen(i)) for i in range(len(SHAPES))]
    assert await wait_for_subscriptions(fan_out.url, len(SHAPES)) == len(SHAPES)
    job = await request_report(client, kind="SALES", format="CSV")
    await client.execute(CANCEL_REPORT, {"id": job["id"]})
    await eventually(
        lambda: received,
        lambda lists: all(len(events) >= 2 for events in lists),
        what="two events for every subscriber",
    )
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    pending_then_cancelled = [
        {"reportJobs": {"id": job["id"], "status": status}} for status in ("PENDING", "CANCELLED")
    ]
    assert received[0] == received[1] == received[2] == pending_then_cancelled
    assert received[3] == [
        {"reportJobs": {"version": version, "kind": "SALES", "downloadUrl": None}}
        for version in (1, 2)
    ]
    assert received[4] == [{"job": {"state": s}} for s in ("PENDING", "CANCELLED")]


async def test_a_later_subscriber_gets_a_download_link_that_still_works(
    stack: StackFactory,
) -> None:
    """Shared results are short-lived: a link signed for an earlier subscriber may expire."""
    lab = await stack("fresh-links", download_url_ttl_seconds=2)
    watch = "subscription($id: ID!) { reportJob(id: $id) { status downloadUrl } }"
    async with signed_in(lab) as client:
        job = await request_report(client, kind="SALES", format="CSV")
        await wait_for_job(client, job["id"])
        first = [e async for e in client.subscribe(watch, {"id": job["id"]})]
        await asyncio.sleep(SHARED_RESULT_SECONDS + 1)
        expired = await client.download(first[0]["reportJob"]["downloadUrl"])
        assert expired.status_code == 403, "the earlier subscriber's link has expired"
        later = [e async for e in client.subscribe(watch, {"id": job["id"]})]
        assert (await client.download(later[0]["reportJob"]["downloadUrl"])).status_code == 200
