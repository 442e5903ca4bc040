"""Many jobs, two worker processes, cancels at random: every job ends once, files match jobs."""

from __future__ import annotations

import random
from collections import Counter

from client.graphql_client import GraphQLResponseError
from models.report_jobs import TERMINAL_STATUSES, JobStatus, ReportFormat
from tests.support.documents import CANCEL_REPORT
from tests.support.factories import add_product, completed_order, request_report
from tests.support.files import report_files, temp_files
from tests.support.stacks import StackFactory, signed_in
from tests.support.streams import watching
from tests.support.waiting import status_is, wait_for_job

JOBS = 200


async def test_two_hundred_jobs_two_workers_random_cancels(stack: StackFactory) -> None:
    # Slowed down (5 chunks of 2 rows, 50 ms each) so that cancels meet running jobs.
    lab = await stack(
        "concurrency", worker_max_jobs=10, read_chunk_rows=2, fault_chunk_delay_seconds=0.05
    )
    chance = random.Random(20261123)
    async with signed_in(lab, workers=2) as client:
        await add_product(client, "C-1", "Crowd", "1.00", stock=1000)
        for index in range(5):
            await completed_order(client, f"Buyer {index}", f"b{index}@example.com", [("C-1", 2)])
        async with watching(client) as watched:
            ids: list[str] = []
            cancels = 0
            refusals: list[list[str | None]] = []
            for index in range(JOBS):
                kind = ("ORDERS", "SALES", "INVENTORY", "CUSTOMERS")[index % 4]
                ids.append((await request_report(client, kind=kind, format="CSV"))["id"])
                if chance.random() < 0.3:
                    victim = chance.choice(ids[-10:])
                    try:
                        await client.execute(CANCEL_REPORT, {"id": victim})
                        cancels += 1
                    except GraphQLResponseError as exc:
                        refusals.append(exc.codes)
            finals = [await wait_for_job(client, job_id) for job_id in ids]
            for final in finals:
                await watched.wait_for_job(final["id"], status_is(JobStatus(final["status"])))
    statuses = Counter(job["status"] for job in finals)
    print(f"\n{JOBS} jobs, {cancels} cancels accepted: {dict(statuses)}")
    assert all(codes == ["CONFLICT"] for codes in refusals), "only a finished job refuses"
    assert set(statuses) <= {"COMPLETED", "CANCELLED"}
    assert statuses["CANCELLED"] == cancels
    for job in finals:
        events = watched.of(job["id"])
        terminal = [e for e in events if e["status"] in TERMINAL_STATUSES]
        assert len(terminal) == 1, f"{job['id']} reached {len(terminal)} terminal states"
        assert terminal[0]["status"] == job["status"] and events[-1] == terminal[0]
        files = report_files(lab, job["id"])
        assert len(files) == (1 if job["status"] == "COMPLETED" else 0), (job["id"], files)
    csv_files = (lab.reports_dir / ReportFormat.CSV.extension).glob("*")
    on_disk = {path.name.split(".")[0] for path in csv_files}
    assert on_disk <= set(ids), "no file without a job"
    assert temp_files(lab) == []
