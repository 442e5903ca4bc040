"""An event Redis did not take is sent again: a subscriber never waits for ever on a lost one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
from uuid import UUID, uuid4

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from models.job_events import RESEND_INTERVAL_SECONDS, JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.redis_keys import account_channel
from models.report_jobs import JobStatus
from service.embedded_redis import EmbeddedRedis
from tests.support.documents import CANCEL_REPORT, WATCH_JOB
from tests.support.factories import request_report
from tests.support.snapshots import job_snapshot
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.streams import watching
from tests.support.waiting import status_is

# After the events expected: a repeat would come within it.
QUIET_SECONDS = 2 * RESEND_INTERVAL_SECONDS
# Generous, for a loaded machine: the events come within a resend interval or two.
WAIT_SECONDS = 15
PREFIX = "lost-events"
# Far shorter than the event hub's health check, so its pub/sub connection survives
# the hang and nothing makes subscribers re-read the database.
HUNG_SECONDS = 1.0


async def test_a_change_whose_event_was_lost_still_reaches_its_subscriber(
    stack: StackFactory, private_redis: EmbeddedRedis, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("lost-events", redis_url=private_redis.url)
    client = await signed_in_client(lab)
    requested = await request_report(client, kind="SALES", format="CSV")
    async with watching(client, WATCH_JOB, {"id": requested["id"]}) as stream:
        await stream.wait_for_job(requested["id"], status_is(JobStatus.PENDING))
        os.kill(private_redis.pid, signal.SIGSTOP)
        try:
            # Its Redis calls time out, so the API's next ones fail at once for a while
            # (a command that timed out was sent, and Redis runs it when it wakes; one
            # that failed at once never left): the cancel's event is not sent.
            await request_report(client, kind="SALES", format="CSV")
            cancelled = (await client.execute(CANCEL_REPORT, {"id": requested["id"]}))[
                "cancelReport"
            ]
            await asyncio.sleep(HUNG_SECONDS)
        finally:
            os.kill(private_redis.pid, signal.SIGCONT)
        assert cancelled["status"] == "CANCELLED"
        events = await stream.completion(timeout=15)
    assert [event["status"] for event in events] == ["PENDING", "CANCELLED"]
    assert events[-1]["version"] == cancelled["version"]


async def subscribed(pubsub: PubSub, channel: str) -> None:
    """Subscribe, and wait until Redis says so: a message published sooner is not heard."""
    await pubsub.subscribe(channel)
    while True:
        message = await pubsub.get_message(timeout=WAIT_SECONDS)
        if message is not None and message["type"] == "subscribe":
            return


async def heard(pubsub: PubSub, expected: int) -> list[tuple[UUID, int]]:
    """The (job, version) of every event heard until `expected` have come, and then for
    QUIET_SECONDS more: a repeat would come within them."""
    loop = asyncio.get_running_loop()
    events: list[tuple[UUID, int]] = []
    deadline = loop.time() + WAIT_SECONDS
    while (left := deadline - loop.time()) > 0:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
        if message is None:
            continue
        event = JobSnapshot.from_json(message["data"])
        events.append((event.id, event.version))
        if len(events) == expected:
            deadline = loop.time() + QUIET_SECONDS
    return events


@contextlib.asynccontextmanager
async def publishing(server: EmbeddedRedis) -> AsyncIterator[Redis]:
    """A publisher's Redis client, quick to give up as the API's and workers' are."""
    redis = Redis.from_url(server.url, socket_timeout=0.3, socket_connect_timeout=0.3)
    try:
        yield redis
    finally:
        await redis.aclose()


@contextlib.asynccontextmanager
async def listening(server: EmbeddedRedis, account_id: UUID) -> AsyncIterator[PubSub]:
    """A subscription to the account's events, confirmed by Redis."""
    redis = Redis.from_url(server.url)
    try:
        async with redis.pubsub() as pubsub:
            await subscribed(pubsub, account_channel(PREFIX, account_id))
            yield pubsub
    finally:
        await redis.aclose()


@contextlib.asynccontextmanager
async def resending(publisher: JobEventPublisher) -> AsyncIterator[None]:
    task = asyncio.create_task(publisher.resend_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_kept_events_are_sent_once_each_and_only_the_latest_of_a_job(
    private_redis: EmbeddedRedis,
) -> None:
    """Publishes racing the resend after an outage neither repeat an event nor pass it."""
    account_id = uuid4()
    first, other = job_snapshot(account_id=account_id), job_snapshot(account_id=account_id)
    later = [job_snapshot(account_id=account_id) for _ in range(5)]
    async with publishing(private_redis) as redis:
        publisher = JobEventPublisher(redis, PREFIX)
        private_redis.stop()
        for kept in (replace(first, version=1), replace(first, version=2), other):
            await publisher.publish(kept)
        private_redis.start()
        async with listening(private_redis, account_id) as pubsub, resending(publisher):
            await asyncio.gather(*(publisher.publish(snapshot) for snapshot in later))
            received = await heard(pubsub, expected=2 + len(later))
    sent = [(first.id, 2), (other.id, other.version)]
    sent += [(snapshot.id, snapshot.version) for snapshot in later]
    assert sorted(received) == sorted(sent)


async def test_events_a_publisher_kept_are_sent_by_the_one_taking_over(
    private_redis: EmbeddedRedis,
) -> None:
    """A worker's run that lost Redis hands what it could not send to the next run."""
    account_id = uuid4()
    finished = job_snapshot(account_id=account_id)
    async with publishing(private_redis) as redis:
        lost_redis = JobEventPublisher(redis, PREFIX)
        private_redis.stop()
        await lost_redis.publish(finished)
        assert lost_redis.kept() == [finished]
    private_redis.start()
    async with (
        publishing(private_redis) as redis,
        listening(private_redis, account_id) as pubsub,
    ):
        next_run = JobEventPublisher(redis, PREFIX, lost_redis.kept())
        async with resending(next_run):
            assert await heard(pubsub, expected=1) == [(finished.id, finished.version)]
