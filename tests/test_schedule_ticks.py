"""Schedules run by real workers against a test clock: once per occurrence however many
workers tick, one catch-up run after downtime, and daylight-saving changes as cron has them.

The clock (models/clock.py) is the only thing made up: every process of a stack
reads the same moment, running faster than the wall clock, so an hour of
calendar passes in seconds.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from client.graphql_client import ReportsClient
from models.clock import Clock
from models.settings import Settings
from service.processes import running_api, running_worker
from tests.support.clients import register
from tests.support.documents import SCHEDULE
from tests.support.factories import create_schedule
from tests.support.stacks import StackFactory, clock_stack
from tests.support.waiting import eventually

DAILY_AT_2_30 = {"name": "Night report", "cron": "30 2 * * *", "timeZone": "Europe/Berlin"}


async def runs_of(client: ReportsClient, schedule_id: str) -> list[dict[str, Any]]:
    """The schedule's runs, oldest first."""
    read = (await client.execute(SCHEDULE, {"id": schedule_id}))["reportSchedule"]
    return [edge["node"] for edge in reversed(read["runs"]["edges"])]


async def schedule_of(client: ReportsClient, schedule_id: str) -> dict[str, Any]:
    schedule: dict[str, Any] = (await client.execute(SCHEDULE, {"id": schedule_id}))[
        "reportSchedule"
    ]
    return schedule


async def until_the_clock_reads(lab: Settings, moment: datetime) -> None:
    clock = Clock(lab)
    await eventually(
        clock.now, lambda now: now >= moment, what=f"the clock to read {moment}", timeout=60
    )


def moments(runs: list[dict[str, Any]]) -> list[datetime]:
    return [datetime.fromisoformat(run["scheduledFor"]) for run in runs]


async def test_two_workers_make_exactly_one_job_per_occurrence(stack: StackFactory) -> None:
    lab = await clock_stack(
        stack,
        "ticks-two-workers",
        reads=datetime(2026, 6, 1, 12, tzinfo=UTC),
        in_seconds=0,
        rate=30,
    )
    with running_api(lab) as url, running_worker(lab), running_worker(lab):
        async with ReportsClient(url) as client:
            await register(client)
            schedule = await create_schedule(client, name="Every minute", cron="* * * * *")
            runs = await eventually(
                lambda: runs_of(client, schedule["id"]),
                lambda found: len(found) >= 5,
                what="five runs",
                timeout=60,
            )
            jobs = (await client.execute("{ reportJobs(first: 500) { totalCount } }"))[
                "reportJobs"
            ]["totalCount"]
    made = moments(runs)
    assert made[0] == datetime.fromisoformat(schedule["nextRunAt"])
    assert len(set(made)) == len(made), "no occurrence ran twice"
    assert all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(made)), made
    assert all(run["job"] is not None for run in runs), "each run made its job"
    # Jobs made between the two reads are the only ones the runs may not show.
    assert len(runs) <= jobs <= len(runs) + 2


async def test_after_downtime_one_run_for_the_latest_missed_occurrence(
    stack: StackFactory,
) -> None:
    lab = await clock_stack(
        stack, "ticks-catch-up", reads=datetime(2026, 6, 1, 12, tzinfo=UTC), in_seconds=0, rate=30
    )
    with running_api(lab) as url, contextlib.ExitStack() as workers:
        async with ReportsClient(url) as client:
            await register(client)
            schedule = await create_schedule(client, name="Every minute", cron="* * * * *")
            first_due = datetime.fromisoformat(schedule["nextRunAt"])
            # Five occurrences pass with no worker running.
            await until_the_clock_reads(lab, first_due + timedelta(minutes=5))
            started = Clock(lab).now()
            workers.enter_context(running_worker(lab))
            runs = await eventually(
                lambda: runs_of(client, schedule["id"]),
                bool,
                what="the catch-up run",
                timeout=30,
            )
    caught_up = moments(runs)[0]
    assert caught_up >= first_due + timedelta(minutes=5), "none of the older misses ran"
    assert caught_up >= started.replace(second=0, microsecond=0), "the latest miss ran"
    assert caught_up.second == 0 and caught_up.microsecond == 0, "an occurrence, not a tick"


@dataclass(frozen=True)
class ClockChange:
    """A daylight-saving change in Berlin and what a daily 02:30 must do across it."""

    name: str
    clock_reads: datetime  # a little before the first run
    first_run: datetime
    watched_until: datetime  # past where a wrong second run would have been
    next_run: datetime


SPRING_FORWARD = ClockChange(
    # 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 does not exist. It runs at
    # 03:00 CEST, not also at 02:30 CET read as if it existed (01:30 UTC).
    "spring",
    clock_reads=datetime(2026, 3, 29, 0, 50, tzinfo=UTC),
    first_run=datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    watched_until=datetime(2026, 3, 29, 1, 40, tzinfo=UTC),
    next_run=datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
)
FALL_BACK = ClockChange(
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice. It runs at
    # the first (00:30 UTC), not again at the second (01:30 UTC).
    "fall",
    clock_reads=datetime(2026, 10, 25, 0, 20, tzinfo=UTC),
    first_run=datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    watched_until=datetime(2026, 10, 25, 1, 40, tzinfo=UTC),
    next_run=datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
)


@pytest.mark.parametrize("change", [SPRING_FORWARD, FALL_BACK], ids=lambda c: c.name)
async def test_a_daylight_saving_change_makes_one_run(
    stack: StackFactory, change: ClockChange
) -> None:
    lab = await clock_stack(
        stack, f"ticks-{change.name}", reads=change.clock_reads, in_seconds=6, rate=300
    )
    with running_api(lab) as url, running_worker(lab):
        async with ReportsClient(url) as client:
            await register(client)
            schedule = await create_schedule(client, **DAILY_AT_2_30)
            assert datetime.fromisoformat(schedule["nextRunAt"]) == change.first_run
            await until_the_clock_reads(lab, change.watched_until)
            runs = await runs_of(client, schedule["id"])
            after = await schedule_of(client, schedule["id"])
    assert moments(runs) == [change.first_run]
    assert datetime.fromisoformat(after["nextRunAt"]) == change.next_run, "02:30 the next day"
