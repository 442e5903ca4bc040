"""A subscriber that does not read while its backlog overflows catches up from the database:
it skips what it missed, and still ends with the job's latest state."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from starlette.requests import Request
from strawberry.types.execution import ExecutionResult

from client.graphql_client import ReportsClient
from models.clock import Clock
from models.job_events import JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.redis_keys import event_hub_client_name
from models.report_jobs import JobStatus, ReportFormat, ReportJob, ReportKind
from models.settings import Settings
from schema.auth.revocation import SessionRevocation
from schema.auth.sessions import Caller
from schema.context import RequestContext
from schema.limits.rate_limits import RateLimiter
from schema.live.job_event_hub import JobEventHub, Listener
from schema.redis_pool import open_queue
from schema.root import schema
from schema.services import Services
from tests.support.documents import ME, REPORT_JOB, WATCH_JOBS
from tests.support.waiting import eventually
from workers.storage.local import LocalStorage

# The hub's backlog per subscriber; far more changes than that arrive while it does not read.
BACKLOG_LIMIT = 4
CHANGES = 10


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """The API's services on channels of their own, with a short backlog per subscriber."""
    prefix = f"{settings.channel_prefix}-backlog"
    queue = open_queue(settings)
    hub = JobEventHub(
        settings.redis_url,
        prefix,
        client_name=event_hub_client_name(prefix, os.getpid()),
        queue_size=BACKLOG_LIMIT,
    )
    await hub.start()
    try:
        yield Services(
            settings=settings,
            queue=queue,
            publisher=JobEventPublisher(queue, prefix),
            hub=hub,
            rate_limiter=RateLimiter(queue, prefix),
            revocation=SessionRevocation(queue, prefix),
            clock=Clock(settings),
            storage=LocalStorage(settings.reports_dir),
        )
    finally:
        await hub.stop()
        await queue.aclose()


async def running_job(account_id: UUID) -> ReportJob:
    """A job a worker has started (and leases for long): only this test changes it."""
    now = datetime.now(UTC)
    return await ReportJob.create(
        account_id=account_id,
        kind=ReportKind.SALES,
        format=ReportFormat.CSV,
        status=JobStatus.RUNNING,
        attempts=1,
        message="Starting",
        started_at=now,
        lease_expires_at=now + timedelta(hours=1),
    )


async def change(publisher: JobEventPublisher, job_id: UUID, step: int) -> JobSnapshot:
    """One change as a worker makes it: progress, and COMPLETED at the last step."""
    fields: dict[str, Any] = {"progress": 100 * step // CHANGES}
    to = JobStatus.RUNNING
    if step == CHANGES:
        to, fields = JobStatus.COMPLETED, {"progress": 100, "message": "Done"}
    changed = await transition_job(publisher, job_id, to, only_from={JobStatus.RUNNING}, **fields)
    assert changed is not None
    return changed


async def test_a_slow_subscriber_catches_up_from_the_database(
    user: ReportsClient, services: Services
) -> None:
    # The reportJobs stream is read here, as the API's WebSocket reads it, so that the
    # test decides when the subscriber reads.
    account_id = UUID((await user.execute(ME))["me"]["id"])
    job = await running_job(account_id)
    caller = Caller(account_id, uuid4(), datetime.now(UTC) + timedelta(hours=1))
    context = RequestContext(
        request=Request({"type": "http", "headers": []}), response=None, services=services
    )
    context.caller = caller
    subscription = await schema.subscribe(WATCH_JOBS, context_value=context)
    assert not isinstance(subscription, ExecutionResult), subscription
    hub = services.hub
    try:
        # A subscriber that keeps up, beside it: it gets every change.
        async with Listener(hub, str(account_id), limit=10 * CHANGES) as keeping_up:
            # Reading the stream opens it: its listener registers and waits for a change.
            first_read = asyncio.ensure_future(anext(subscription))
            await eventually(
                lambda: hub.listener_count, lambda count: count == 2, what="the stream's listener"
            )
            versions = [(await change(services.publisher, job.id, 1)).version]
            first = await asyncio.wait_for(first_read, 10)
            # Then it stops reading, while every other change arrives.
            for step in range(2, CHANGES + 1):
                versions.append((await change(services.publisher, job.id, step)).version)
            kept_up = [await asyncio.wait_for(keeping_up.next(), 10) for _ in versions]
            caught_up = await asyncio.wait_for(anext(subscription), 10)
    finally:
        await subscription.aclose()

    assert all(isinstance(item, JobSnapshot) for item in kept_up), "it never fell behind"
    assert [item.version for item in kept_up if isinstance(item, JobSnapshot)] == versions
    assert first.data is not None and caught_up.data is not None, (first, caught_up)
    events = [first.data["reportJobs"], caught_up.data["reportJobs"]]
    assert [event["version"] for event in events] == [versions[0], versions[-1]], (
        "what it missed is skipped: its next event is the latest state"
    )
    latest = (await user.execute(REPORT_JOB, {"id": str(job.id)}))["reportJob"]
    assert events[-1] == latest
    assert (latest["status"], latest["progress"]) == ("COMPLETED", 100)
