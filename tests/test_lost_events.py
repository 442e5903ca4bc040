"""An event Redis did not take is sent again: a subscriber never waits for ever on a lost one."""

from __future__ import annotations

import asyncio
import os
import signal

from models.report_jobs import JobStatus
from service.embedded_redis import EmbeddedRedis
from tests.support.documents import CANCEL_REPORT, WATCH_JOB
from tests.support.factories import request_report
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.streams import watching
from tests.support.waiting import status_is

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
