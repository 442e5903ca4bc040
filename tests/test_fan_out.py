"""One API process: one Redis connection for all its subscribers, released on disconnect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as redis

from client.graphql_client import GRAPHQL_TRANSPORT_WS, GRAPHQL_WS, Protocol, ReportsClient
from models.settings import Settings
from schema.live.shared_events import SHARED_RESULT_SECONDS
from service.processes import running_api
from tests.conftest import StackFactory, register
from tests.documents import CANCEL_REPORT, WATCH_JOB, WATCH_JOBS
from tests.factories import request_report, wait_for_job
from tests.lab import signed_in

SUBSCRIBERS = 25


@pytest.fixture(scope="module")
async def fan_out(stack: StackFactory) -> AsyncIterator[tuple[str, Settings]]:
    own = await stack("fan-out")
    with running_api(own) as url:
        yield url, own


async def health(base_url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        body: dict[str, Any] = (await http.get(f"{base_url}/health")).json()
        return body


async def subscriptions_reach(base_url: str, count: int) -> int:
    """Wait up to 5 s for the API to hold `count` subscriptions; how many it holds."""
    for _ in range(100):
        held: int = (await health(base_url))["subscriptions"]
        if held == count:
            break
        await asyncio.sleep(0.05)
    return held


async def event_connections(settings: Settings) -> int:
    client = redis.Redis.from_url(settings.redis_url)
    try:
        clients = await client.client_list()
    finally:
        await client.aclose()
    return sum(1 for c in clients if c["name"].startswith(f"{settings.channel_prefix}:events:"))


async def test_many_subscribers_share_one_connection_and_all_get_the_event(
    fan_out: tuple[str, Settings],
) -> None:
    base_url, settings = fan_out
    async with ReportsClient(base_url) as client:
        await register(client)
        received: list[list[dict[str, Any]]] = [[] for _ in range(SUBSCRIBERS)]

        async def listen(index: int) -> None:
            async for event in client.subscribe(WATCH_JOBS, {"status": ["CANCELLED"]}):
                received[index].append(event["reportJobs"])

        tasks = [asyncio.create_task(listen(i)) for i in range(SUBSCRIBERS)]
        assert await subscriptions_reach(base_url, SUBSCRIBERS) == SUBSCRIBERS
        assert await event_connections(settings) == 1

        job = await request_report(client, kind="SALES", format="CSV")
        await client.execute(CANCEL_REPORT, {"id": job["id"]})
        for _ in range(100):
            if all(events for events in received):
                break
            await asyncio.sleep(0.05)
        assert all(
            [(e["id"], e["status"]) for e in events] == [(job["id"], "CANCELLED")]
            for events in received
        ), "each subscriber got the one CANCELLED change, and not the PENDING one"

        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert await subscriptions_reach(base_url, 0) == 0
        assert await event_connections(settings) == 1


async def test_a_finished_job_stream_completes_and_is_released(
    fan_out: tuple[str, Settings],
) -> None:
    base_url, _ = fan_out
    async with ReportsClient(base_url) as client:
        await register(client)
        job = await request_report(client, kind="SALES", format="CSV")
        await client.execute(CANCEL_REPORT, {"id": job["id"]})
        events = [e["reportJob"] async for e in client.subscribe(WATCH_JOB, {"id": job["id"]})]
    assert [(e["status"], e["version"]) for e in events] == [("CANCELLED", 2)]
    assert (await health(base_url))["subscriptions"] == 0


SHAPES: list[tuple[str, Protocol]] = [
    ("subscription { reportJobs { id status } }", GRAPHQL_TRANSPORT_WS),
    ("subscription { reportJobs { id status } }", GRAPHQL_TRANSPORT_WS),
    ("subscription { reportJobs { id status } }", GRAPHQL_WS),
    ("subscription { reportJobs { version kind downloadUrl } }", GRAPHQL_TRANSPORT_WS),
    ("subscription Named { job: reportJobs { state: status } }", GRAPHQL_WS),
]


async def test_subscribers_sharing_an_event_each_get_their_own_selection(
    fan_out: tuple[str, Settings],
) -> None:
    """One event is executed once per distinct operation; everyone still gets what they asked."""
    base_url, _ = fan_out
    async with ReportsClient(base_url) as client:
        await register(client)
        received: list[list[dict[str, Any]]] = [[] for _ in SHAPES]

        async def listen(index: int) -> None:
            query, protocol = SHAPES[index]
            async for event in client.subscribe(query, protocol=protocol):
                received[index].append(event)

        tasks = [asyncio.create_task(listen(i)) for i in range(len(SHAPES))]
        assert await subscriptions_reach(base_url, len(SHAPES)) == len(SHAPES)
        job = await request_report(client, kind="SALES", format="CSV")
        await client.execute(CANCEL_REPORT, {"id": job["id"]})
        for _ in range(100):
            if all(len(events) == 2 for events in received):
                break
            await asyncio.sleep(0.05)
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
        assert (await client.download(first[0]["reportJob"]["downloadUrl"])).status_code != 200
        later = [e async for e in client.subscribe(watch, {"id": job["id"]})]
        assert (await client.download(later[0]["reportJob"]["downloadUrl"])).status_code == 200
