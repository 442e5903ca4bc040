"""Faults with real processes: a killed worker, a stopped worker, Redis and PostgreSQL down."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import time

import pytest

from client.graphql_client import GraphQLResponseError
from models.report_jobs import JobStatus
from service.embedded_redis import EmbeddedRedis
from service.processes import running_api, running_worker
from tests.support.documents import CANCEL_REPORT, ORDERS, REPORT_JOB
from tests.support.factories import request_report, seed_line_items
from tests.support.files import report_files
from tests.support.private_postgres import on_private_postgres
from tests.support.stacks import SignedInClientFactory, StackFactory, fast_recovery, signed_in
from tests.support.streams import health, watching
from tests.support.waiting import (
    FINISHED,
    eventually,
    job,
    progress_at_least,
    status_is,
    wait_for_job,
)
from workers.take_back import LOST_WORKER_ERROR

WATCH_PROGRESS = "subscription($id: ID!) { reportJob(id: $id) { status progress version } }"


async def test_a_killed_worker_s_job_is_finished_by_another(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("kill", **fast_recovery(fault_chunk_delay_seconds=0.1))
    client = await signed_in_client(lab)
    with running_worker(lab) as doomed:
        await seed_line_items(client, 600)
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            await watched.wait_for_job(requested["id"], progress_at_least(20))
            # Frozen, then killed once another worker runs: however long that one
            # takes to start, the job cannot finish on the doomed worker meanwhile.
            doomed.send_signal(signal.SIGSTOP)
            stopped_at = time.monotonic()
            with running_worker(lab):
                doomed.send_signal(signal.SIGKILL)
                done = await wait_for_job(client, requested["id"], timeout=30)
                recovered_in = time.monotonic() - stopped_at
        response = await client.download(done["downloadUrl"])
    print(f"\nrecovered from kill -9 in {recovered_in:.1f} s (lease {lab.lease_seconds} s)")
    assert recovered_in < 30
    assert done["status"] == "COMPLETED" and done["attempts"] == 2
    assert done["rowCount"] == 600
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 600 and {r["sku"] for r in rows} == {"BULK-1"}
    assert len(report_files(lab, requested["id"])) == 1
    statuses = [e["status"] for e in watched.of(requested["id"])]
    assert statuses.count("COMPLETED") == 1 and "PENDING" in statuses[2:], "taken back once"


async def test_a_lapsed_lease_on_the_last_attempt_fails_the_job(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("kill-last", **fast_recovery(fault_chunk_delay_seconds=0.1, max_attempts=1))
    client = await signed_in_client(lab)
    await seed_line_items(client, 400)
    async with watching(client) as watched:
        requested = await request_report(client, kind="ORDERS", format="CSV")
        with running_worker(lab) as doomed:
            await watched.wait_for_job(requested["id"], progress_at_least(10))
            doomed.send_signal(signal.SIGSTOP)  # as in the test above
            with running_worker(lab):
                doomed.send_signal(signal.SIGKILL)
                failed = await wait_for_job(client, requested["id"], timeout=30)
                await watched.wait_for_job(requested["id"], FINISHED)
    assert (failed["status"], failed["attempts"]) == ("FAILED", 1)
    assert failed["error"] == f"{LOST_WORKER_ERROR}; gave up after 1 attempt."
    assert failed["downloadUrl"] is None and report_files(lab, requested["id"]) == []
    statuses = [e["status"] for e in watched.of(requested["id"])]
    assert "PENDING" not in statuses[1:], "not taken back for an attempt it does not have"
    assert statuses[-1] == "FAILED"


async def test_sigterm_hands_a_long_job_back_and_nothing_stays_running(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack(
        "sigterm", **fast_recovery(fault_chunk_delay_seconds=0.2, shutdown_grace_seconds=1)
    )
    client = await signed_in_client(lab)
    await seed_line_items(client, 400)
    async with watching(client) as watched:
        requested = await request_report(client, kind="ORDERS", format="CSV")
        with running_worker(lab) as stopping:
            await watched.wait_for_job(requested["id"], progress_at_least(10))
            stopping.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(stopping.wait, 15) == 0
        handed_back = await job(client, requested["id"])
        assert handed_back["status"] == "PENDING"
        assert handed_back["message"] == "Interrupted; continuing on another worker"
        with running_worker(lab):
            done = await wait_for_job(client, requested["id"])
    assert done["status"] == "COMPLETED" and done["rowCount"] == 400


async def test_sigterm_lets_a_short_job_finish(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack(
        "sigterm-short", **fast_recovery(fault_chunk_delay_seconds=0.1, shutdown_grace_seconds=10)
    )
    client = await signed_in_client(lab)
    await seed_line_items(client, 100)
    async with watching(client) as watched:
        requested = await request_report(client, kind="ORDERS", format="CSV")
        with running_worker(lab) as stopping:
            await watched.wait_for_job(requested["id"], progress_at_least(1))
            stopping.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(stopping.wait, 15) == 0
        finished = await job(client, requested["id"])
    assert finished["status"] == "COMPLETED" and finished["attempts"] == 1


async def test_redis_outage_loses_nothing(
    stack: StackFactory, private_redis: EmbeddedRedis
) -> None:
    lab = await stack(
        "redis-outage", **fast_recovery(fault_chunk_delay_seconds=0.1), redis_url=private_redis.url
    )
    async with signed_in(lab) as client:
        await seed_line_items(client, 300)
        before = await request_report(client, kind="ORDERS", format="CSV")
        async with watching(client, WATCH_PROGRESS, {"id": before["id"]}) as watched:
            # A hung Redis (it accepts, never answers) must not hang the API either,
            # however many requests arrive at once.
            os.kill(private_redis.pid, signal.SIGSTOP)
            try:
                started = time.monotonic()
                hung, *crowd = await asyncio.gather(
                    *(request_report(client, kind="SALES", format="CSV") for _ in range(10))
                )
                answered_while_hung = time.monotonic() - started
            finally:
                os.kill(private_redis.pid, signal.SIGCONT)
            assert all(job["status"] == "PENDING" for job in [hung, *crowd])
            assert answered_while_hung < 2
            private_redis.stop()

            started = time.monotonic()
            during = await request_report(client, kind="SALES", format="CSV")
            answered_in = time.monotonic() - started
            assert during["status"] == "PENDING"
            # Queries and mutations that need only PostgreSQL keep working.
            assert (await client.execute(ORDERS, {}))["orders"]["totalCount"] == 1
            assert (await client.execute(REPORT_JOB, {"id": during["id"]}))["reportJob"]
            await asyncio.sleep(1)  # Redis stays away a while

            private_redis.start()
            restarted_at = time.monotonic()
            done = await wait_for_job(client, during["id"], timeout=60)
            recovered_in = time.monotonic() - restarted_at
            for job in (hung, *crowd):
                assert (await wait_for_job(client, job["id"]))["status"] == "COMPLETED"
            await watched.completion(timeout=30)
    print(
        f"\n10 requestReports at once answered in {answered_while_hung:.2f} s with Redis hung, "
        f"{answered_in:.2f} s with Redis down; "
        f"its job completed {recovered_in:.1f} s after Redis came back"
    )
    assert answered_in < 2
    assert done["status"] == "COMPLETED"
    assert watched.events[-1]["status"] == "COMPLETED", "the subscription saw the final state"
    versions = [event["version"] for event in watched.events]
    assert versions == sorted(set(versions))


async def test_a_running_job_goes_on_while_redis_hangs(
    stack: StackFactory, private_redis: EmbeddedRedis
) -> None:
    """A Redis that accepts and never answers costs a running job one timed-out event;
    the job finishes, and its subscriber hears the end once Redis answers again."""
    lab = await stack(
        "redis-hung-job",
        **fast_recovery(fault_chunk_delay_seconds=0.1),
        redis_url=private_redis.url,
    )
    async with signed_in(lab) as client:
        await seed_line_items(client, 300)
        requested = await request_report(client, kind="ORDERS", format="CSV")
        async with watching(client, WATCH_PROGRESS, {"id": requested["id"]}) as watched:
            await wait_for_job(client, requested["id"], progress_at_least(1), timeout=30)
            os.kill(private_redis.pid, signal.SIGSTOP)
            try:
                # reportJob reads PostgreSQL only: it answers while Redis hangs.
                hung_at = await job(client, requested["id"])
                assert hung_at["status"] == "RUNNING", "Redis hangs while the job runs"
                finished = await wait_for_job(client, requested["id"], timeout=30)
            finally:
                os.kill(private_redis.pid, signal.SIGCONT)
            assert finished["status"] == "COMPLETED"
            await watched.completion(timeout=30)
    assert watched.events[-1]["status"] == "COMPLETED"


async def test_report_jobs_catches_up_from_the_database_when_its_events_return(
    stack: StackFactory, private_redis: EmbeddedRedis, signed_in_client: SignedInClientFactory
) -> None:
    # No worker: the jobs change only when this test changes them.
    lab = await stack("catch-up", redis_url=private_redis.url)
    client = await signed_in_client(lab)
    async with watching(client) as watched:
        first = await request_report(client, kind="SALES", format="CSV")
        await watched.wait_for_job(first["id"], status_is(JobStatus.PENDING))

        private_redis.stop()
        await eventually(
            lambda: health(client.base_url),
            lambda answer: answer["jobEvents"] == "reconnecting",
            what="the API to lose its event connection",
        )
        # Committed while no event can reach the API.
        cancelled = (await client.execute(CANCEL_REPORT, {"id": first["id"]}))["cancelReport"]
        second = await request_report(client, kind="ORDERS", format="CSV")
        private_redis.start()

        await watched.wait_for_job(first["id"], status_is(JobStatus.CANCELLED))
        await watched.wait_for_job(second["id"], status_is(JobStatus.PENDING))
    assert (await health(client.base_url))["jobEvents"] == "connected"
    assert [(e["id"], e["status"], e["version"]) for e in watched.events] == [
        (first["id"], "PENDING", first["version"]),
        (first["id"], "CANCELLED", cancelled["version"]),
        (second["id"], "PENDING", second["version"]),
    ], "every change once, in the order it was made"


async def test_postgres_restart_is_survived(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    async with on_private_postgres(
        await stack("pg-restart", **fast_recovery(fault_chunk_delay_seconds=0.1))
    ) as (lab, postgres):
        with running_api(lab) as url, running_worker(lab):
            client = await signed_in_client(url)
            await seed_line_items(client, 300)
            requested = await request_report(client, kind="ORDERS", format="CSV")
            await wait_for_job(client, requested["id"], progress_at_least(10), timeout=30)

            await asyncio.to_thread(postgres.stop)
            with pytest.raises(GraphQLResponseError) as caught:
                await client.execute(REPORT_JOB, {"id": requested["id"]})
            assert caught.value.codes == ["SERVICE_UNAVAILABLE"]
            assert "Traceback" not in str(caught.value)
            await asyncio.sleep(1)  # PostgreSQL stays away a while

            await asyncio.to_thread(postgres.start)
            restarted_at = time.monotonic()

            async def answers() -> bool:
                try:
                    await client.execute(REPORT_JOB, {"id": requested["id"]})
                except GraphQLResponseError:
                    return False
                return True

            await eventually(answers, bool, what="the API to answer again", timeout=10)
            api_back_in = time.monotonic() - restarted_at
            done = await wait_for_job(client, requested["id"], timeout=60)
            job_done_in = time.monotonic() - restarted_at
    print(
        f"\nafter PostgreSQL restarted: API answered again in {api_back_in:.1f} s, "
        f"the interrupted job completed in {job_done_in:.1f} s"
    )
    assert done["status"] == "COMPLETED" and done["rowCount"] == 300
    assert done["attempts"] >= 2
