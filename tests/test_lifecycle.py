"""Job lifecycle on a stack of its own: progress, cancel, retries, time limit, expiry."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.report_jobs import ReportFormat
from schema.http.downloads import EXPIRED_MESSAGE
from service.processes import running_worker
from tests.support.documents import CANCEL_REPORT, REPORT_JOBS, REPORT_STATS, RETRY_REPORT
from tests.support.factories import add_product, completed_order, request_report, seed_line_items
from tests.support.files import report_files, temp_files
from tests.support.stacks import SignedInClientFactory, StackFactory, fast_recovery, signed_in
from tests.support.streams import watching
from tests.support.waiting import FINISHED, eventually, job, progress_at_least, wait_for_job
from workers.storage import TEMP_SUFFIX

# LOW jobs requested ahead of the others (a few at a time, as a busy shop would).
LOW_BACKLOG = 300
REQUESTS_AT_ONCE = 20


async def test_progress_rises_by_stages_and_is_throttled(stack: StackFactory) -> None:
    lab = await stack("progress", **fast_recovery(read_chunk_rows=25))
    async with signed_in(lab) as client:
        await seed_line_items(client, 1000)
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            done = await wait_for_job(client, requested["id"])
            await watched.wait_for_job(requested["id"], FINISHED)
    assert done["status"] == "COMPLETED" and done["rowCount"] == 1000
    events = watched.of(requested["id"])
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress), "progress never goes down"
    assert progress[-1] == 100 and events[-1]["message"] == "Done"
    decades = {p // 10 for p in progress}
    assert decades >= set(range(11)), f"a subscriber sees every 10 % step: {progress}"
    assert [e["message"] for e in events[:3]] == ["Queued", "Starting", "Reading orders"]
    assert any((e["message"] or "").startswith("Writing rows ") for e in events)
    assert any(e["message"] == "Writing rows 1000/1000" for e in events)
    assert len(events) <= 30, f"throttled: 40 chunks gave {len(events)} events"


async def test_cancelling_a_running_job_stops_the_worker_and_removes_its_file(
    stack: StackFactory,
) -> None:
    lab = await stack("cancel-running", **fast_recovery(fault_chunk_delay_seconds=0.2))
    async with signed_in(lab) as client:
        await seed_line_items(client, 600)
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            await watched.wait_for_job(requested["id"], progress_at_least(10))
            cancelled = (await client.execute(CANCEL_REPORT, {"id": requested["id"]}))[
                "cancelReport"
            ]
            cancelled_at = time.monotonic()
            assert cancelled["status"] == "CANCELLED"
            await eventually(
                lambda: temp_files(lab), lambda files: not files, what="no temp file", timeout=5
            )
            stopped_after = time.monotonic() - cancelled_at
            await asyncio.sleep(1.5)  # a worker still running it would have changed it by now
        final = await job(client, requested["id"])
    print(f"\nworker dropped the cancelled job's partial file {stopped_after:.2f} s after cancel")
    assert stopped_after < 2
    assert final["status"] == "CANCELLED" and final["version"] == cancelled["version"]
    events = watched.of(requested["id"])
    assert events[-1]["status"] == "CANCELLED"
    assert report_files(lab, requested["id"]) == []


async def test_transient_failures_are_retried_with_backoff(stack: StackFactory) -> None:
    lab = await stack("retry", **fast_recovery(fault_transient_failures=2))
    async with signed_in(lab) as client:
        await seed_line_items(client, 10)
        async with watching(client) as watched:
            requested = await request_report(client, kind="ORDERS", format="CSV")
            done = await wait_for_job(client, requested["id"])
            await watched.wait_for_job(requested["id"], FINISHED)
    assert done["status"] == "COMPLETED" and done["attempts"] == 3
    assert done["error"] is None
    retries = [
        e for e in watched.of(requested["id"]) if e["status"] == "PENDING" and e["attempts"] > 0
    ]
    assert [e["attempts"] for e in retries] == [1, 2]
    for event in retries:
        assert event["message"].startswith("Retrying in ")
        assert event["error"] == "The report file could not be written"


async def test_retries_stop_at_the_maximum(stack: StackFactory) -> None:
    lab = await stack("give-up", **fast_recovery(fault_transient_failures=9, max_attempts=2))
    async with signed_in(lab) as client:
        requested = await request_report(client, kind="INVENTORY", format="CSV")
        failed = await wait_for_job(client, requested["id"])
    assert failed["status"] == "FAILED" and failed["attempts"] == 2
    assert failed["error"] == ("The report file could not be written; gave up after 2 attempts.")


async def test_a_retried_job_that_had_used_up_its_attempts_gets_a_full_new_set(
    stack: StackFactory,
) -> None:
    # Three failures against two attempts: the job gives up, and its manual retry
    # completes only if it may fail once more and be retried again.
    lab = await stack(
        "retry-used-up",
        **fast_recovery(
            fault_transient_failures=3,
            max_attempts=2,
            retry_base_delay_seconds=0.05,
            sweep_interval_seconds=0.2,
        ),
    )
    async with signed_in(lab) as client:
        requested = await request_report(client, kind="INVENTORY", format="CSV")
        failed = await wait_for_job(client, requested["id"])
        async with watching(client) as watched:
            retried = (await client.execute(RETRY_REPORT, {"id": requested["id"]}))["retryReport"]
            done = await wait_for_job(client, requested["id"])
            await watched.wait_for_job(requested["id"], FINISHED)
    assert (failed["status"], failed["attempts"]) == ("FAILED", 2)
    assert failed["error"] == "The report file could not be written; gave up after 2 attempts."
    assert (retried["status"], retried["attempts"], retried["error"]) == ("PENDING", 2, None)
    assert (done["status"], done["attempts"], done["error"]) == ("COMPLETED", 4, None)
    retries = [e for e in watched.of(requested["id"]) if e["status"] == "PENDING" and e["error"]]
    assert [e["attempts"] for e in retries] == [3], "its first failure was retried, not final"
    assert retries[0]["message"].startswith("Retrying in ")


async def test_a_runaway_job_fails_as_timed_out(stack: StackFactory) -> None:
    lab = await stack(
        "time-limit", **fast_recovery(job_time_limit_seconds=1, fault_chunk_delay_seconds=0.3)
    )
    async with signed_in(lab) as client:
        await seed_line_items(client, 200)
        requested = await request_report(client, kind="ORDERS", format="CSV")
        failed = await wait_for_job(client, requested["id"])
        await eventually(
            lambda: temp_files(lab), lambda files: not files, what="no temp file", timeout=5
        )
    assert (failed["status"], failed["error"], failed["attempts"]) == (
        "FAILED",
        "Timed out after 1 s.",
        1,
    )
    assert report_files(lab, requested["id"]) == [] and temp_files(lab) == []


async def test_urgent_work_starts_before_a_backlog_of_low(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("priority", worker_max_jobs=1)
    client = await signed_in_client(lab)
    await add_product(client, "P-1", "Thing", "1.00")
    lows: list[str] = []
    for _ in range(LOW_BACKLOG // REQUESTS_AT_ONCE):
        requested = await asyncio.gather(
            *(
                request_report(client, kind="INVENTORY", format="CSV", priority="LOW")
                for _ in range(REQUESTS_AT_ONCE)
            )
        )
        lows += [low["id"] for low in requested]
    normal = (await request_report(client, kind="INVENTORY", format="CSV"))["id"]
    high = (await request_report(client, kind="INVENTORY", format="CSV", priority="HIGH"))["id"]
    urgent = (await request_report(client, kind="INVENTORY", format="CSV", priority="URGENT"))["id"]
    with running_worker(lab):
        await wait_for_job(client, normal)
    listed = (await client.execute(REPORT_JOBS, {"first": LOW_BACKLOG + 3}))["reportJobs"]
    started = {edge["node"]["id"]: edge["node"]["startedAt"] for edge in listed["edges"]}
    assert len(started) == LOW_BACKLOG + 3
    low_starts = [started[j] for j in lows if started[j] is not None]
    assert started[urgent] < started[high] < started[normal]
    assert all(started[normal] < low for low in low_starts), "no LOW job went first"


async def test_completed_files_expire(stack: StackFactory) -> None:
    lab = await stack("expiry", **fast_recovery(report_retention_seconds=1))
    async with signed_in(lab) as client:
        await add_product(client, "E-1", "Ephemeral", "2.00")
        await completed_order(client, "Ann", "ann@example.com", [("E-1", 1)])
        async with watching(client) as watched:
            requested = await request_report(client, kind="SALES", format="CSV")
            done = await wait_for_job(client, requested["id"])
            assert done["expiresAt"] is not None and done["downloadUrl"] is not None
            link = done["downloadUrl"]
            expired = await watched.wait_for(
                lambda e: e["id"] == requested["id"] and e["message"] == "Expired"
            )
        gone = await client.download(link)
        assert (gone.status_code, gone.text) == (410, EXPIRED_MESSAGE)
    assert expired["status"] == "COMPLETED" and expired["downloadUrl"] is None
    assert report_files(lab, requested["id"]) == []


async def test_orphaned_temp_files_are_removed(stack: StackFactory) -> None:
    lab = await stack("orphans", **fast_recovery(job_time_limit_seconds=1))
    csv = ReportFormat.CSV.extension
    folder = lab.reports_dir / csv
    folder.mkdir(parents=True)
    orphan = folder / f"0b6f2c2e-7d1c-4b8e-9b8f-0d4c1f2a3b4c.a1.{csv}.deadbeef{TEMP_SUFFIX}"
    orphan.write_text("half a report")
    old = time.time() - 3600
    os.utime(orphan, (old, old))
    fresh = folder / f"1c7f3d3f-8e2d-4c9f-8c9f-1e5d2f3b4c5d.a1.{csv}.cafebabe{TEMP_SUFFIX}"
    fresh.write_text("a report being written")
    with running_worker(lab):
        await eventually(
            orphan.exists, lambda exists: not exists, what="the orphan removed", timeout=5
        )
    assert not orphan.exists()
    assert fresh.exists(), "a temp file young enough to be in use is left alone"


async def test_report_stats_show_counts_queue_durations_and_workers(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("stats")
    client = await signed_in_client(lab)
    await add_product(client, "S-1", "Stat", "1.00")
    queued = await request_report(client, kind="INVENTORY", format="CSV", priority="HIGH")
    before = (await client.execute(REPORT_STATS))["reportStats"]
    with running_worker(lab):
        await wait_for_job(client, queued["id"])
        after = (await client.execute(REPORT_STATS))["reportStats"]
    assert {"priority": "HIGH", "count": 1} in before["queueDepth"]
    assert before["workersAlive"] == 0 and before["completedLastHour"] == 0
    assert {"status": "PENDING", "count": 1} in before["jobsByStatus"]
    assert after["workersAlive"] == 1
    assert {"status": "COMPLETED", "count": 1} in after["jobsByStatus"]
    assert after["completedLastHour"] == 1
    assert after["meanDurationSeconds"] > 0 and after["p95DurationSeconds"] > 0
    assert all(entry["count"] == 0 for entry in after["queueDepth"])


@pytest.mark.usefixtures("worker")
async def test_report_stats_are_about_the_callers_jobs(
    user: ReportsClient, other_user: ReportsClient
) -> None:
    await request_report(user, kind="SALES", format="CSV")
    stats = (await other_user.execute(REPORT_STATS))["reportStats"]
    assert all(entry["count"] == 0 for entry in stats["jobsByStatus"])


async def test_a_flood_from_one_account_does_not_hold_up_another(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    """One account's eight slow jobs, queued first, take at most its share of the slots:
    another account's job, queued after them, starts before the flood's third."""
    lab = await stack(
        "fair-share",
        **fast_recovery(
            worker_max_jobs=4, max_running_jobs_per_account=2, fault_chunk_delay_seconds=0.2
        ),
    )
    flooder = await signed_in_client(lab)
    other = await signed_in_client(lab)
    await seed_line_items(flooder, 100)
    flood = [
        (await request_report(flooder, kind="SALES", format="CSV", priority="HIGH"))["id"]
        for _ in range(8)
    ]
    mine = (await request_report(other, kind="SALES", format="CSV", priority="HIGH"))["id"]
    with running_worker(lab):
        done = await wait_for_job(other, mine, timeout=60)
        for job_id in flood:
            await wait_for_job(flooder, job_id, timeout=60)
    flood_starts = sorted([(await job(flooder, job_id))["startedAt"] for job_id in flood])
    assert done["status"] == "COMPLETED"
    assert done["startedAt"] < flood_starts[2], (done["startedAt"], flood_starts)


async def test_urgent_is_for_one_job_at_a_time(user: ReportsClient) -> None:
    first = await request_report(user, kind="SALES", format="CSV", priority="URGENT")
    with pytest.raises(GraphQLResponseError) as caught:
        await request_report(user, kind="SALES", format="CSV", priority="URGENT")
    assert caught.value.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "priority"}
    assert "at most 1 URGENT" in caught.value.errors[0]["message"]
    assert first["status"] == "PENDING"
    assert (await request_report(user, kind="SALES", format="CSV", priority="HIGH"))["id"]
