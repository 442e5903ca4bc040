"""An event Redis did not take is sent again: a subscriber never waits for ever on a lost one."""

from __future__ import annotations

import asyncio
import os
import signal
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

# Longer than the resend interval: a repeat or a late event would come within it.
QUIET_SECONDS = 2 * RESEND_INTERVAL_SECONDS
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


async def heard_until_quiet(pubsub: PubSub, seconds: float) -> list[bytes]:
    """Every message until none has come for `seconds`."""
    loop = asyncio.get_running_loop()
    heard: list[bytes] = []
    quiet_from = loop.time()
    while (left := quiet_from + seconds - loop.time()) > 0:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
        if message is not None:
            heard.append(message["data"])
            quiet_from = loop.time()
    return heard


async def test_kept_events_are_sent_once_each_and_only_the_latest_of_a_job(
    private_redis: EmbeddedRedis,
) -> None:
    """Publishes racing the resend after an outage neither repeat an event nor pass it."""
    prefix = "lost-events-once"
    account_id = uuid4()
    redis = Redis.from_url(private_redis.url, socket_timeout=0.3, socket_connect_timeout=0.3)
    listener = Redis.from_url(private_redis.url)
    publisher = JobEventPublisher(redis, prefix)
    resending = asyncio.create_task(publisher.resend_forever())
    try:
        private_redis.stop()
        first, other = job_snapshot(account_id=account_id), job_snapshot(account_id=account_id)
        for kept in (replace(first, version=1), replace(first, version=2), other):
            await publisher.publish(kept)

        private_redis.start()
        received: list[tuple[UUID, int]] = []
        async with listener.pubsub() as pubsub:
            await pubsub.subscribe(account_channel(prefix, account_id))
            later = [job_snapshot(account_id=account_id) for _ in range(5)]
            await asyncio.gather(*(publisher.publish(snapshot) for snapshot in later))
            for data in await heard_until_quiet(pubsub, QUIET_SECONDS):
                event = JobSnapshot.from_json(data)
                received.append((event.id, event.version))
    finally:
        resending.cancel()
        await redis.aclose()
        await listener.aclose()
    sent = [(first.id, 2), (other.id, other.version)]
    sent += [(snapshot.id, snapshot.version) for snapshot in later]
    assert sorted(received) == sorted(sent)
