"""A worker starts a job when it is enqueued, not at its next poll of the queue."""

from __future__ import annotations

from models.report_jobs import JobStatus
from tests.support.factories import request_report
from tests.support.stacks import StackFactory, signed_in
from tests.support.streams import watching
from tests.support.waiting import status_is

# Far longer than the waits below: a job that starts in time was woken, not polled for.
RARE_POLL_SECONDS = 60.0


async def test_an_enqueued_job_starts_without_waiting_for_the_poll(stack: StackFactory) -> None:
    lab = await stack("wakeup", worker_poll_delay_seconds=RARE_POLL_SECONDS)
    async with signed_in(lab) as client, watching(client) as events:
        # The worker's first poll happens as it starts; every later job needs a wake-up.
        for _ in range(3):
            job_id = (await request_report(client, kind="SALES", format="CSV"))["id"]
            await events.wait_for_job(job_id, status_is(JobStatus.COMPLETED), timeout=15)
