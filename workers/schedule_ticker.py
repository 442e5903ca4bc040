"""Every worker's schedule tick: make the run of each schedule whose moment has come.

Any number of workers tick at once; `make_run`'s claim and the unique key on
(schedule, occurrence) let exactly one of them make each run. After downtime a
schedule gets one run, for its most recent missed occurrence, and moves on to
the first occurrence still ahead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from models.failures import is_connection_failure
from models.schedule_calendar import CalendarError, latest_occurrence, next_occurrence, time_zone
from models.schedules import ReportSchedule
from workers.context import WorkerContext
from workers.schedule_runs import Advance, make_run

logger = logging.getLogger(__name__)

# Schedules looked at per tick; the rest wait for the next one.
TICK_BATCH = 200


class ScheduleTicker:
    def __init__(self, worker: WorkerContext) -> None:
        self._worker = worker
        self._clock = worker.clock

    async def run_forever(self) -> None:
        tick_seconds = self._worker.settings.schedule_tick_seconds
        while True:
            pause = tick_seconds
            try:
                following = await self.tick()
                if following is not None:
                    # Wake on the dot for an occurrence due before the next tick.
                    pause = min(pause, max(0.0, self._clock.wall_time_of(following) - time.time()))
            except Exception as exc:
                if is_connection_failure(exc):
                    logger.warning("schedules: tick skipped, a service is unreachable (%s)", exc)
                else:
                    logger.exception("schedules: tick failed")
            await asyncio.sleep(pause)

    async def tick(self) -> datetime | None:
        """Make the runs that are due; returns the next occurrence of any schedule."""
        now = self._clock.now()
        due = (
            await ReportSchedule.filter(enabled=True, next_run_at__lte=now)
            .order_by("next_run_at")
            .limit(TICK_BATCH)
        )
        for schedule in due:
            assert schedule.next_run_at is not None
            try:
                zone = time_zone(schedule.time_zone)
            except CalendarError:
                # Its zone left the zone database since it was saved: it cannot run.
                logger.exception("schedule %s: cannot read its time zone", schedule.id)
                continue
            occurrence = max(
                latest_occurrence(schedule.cron, zone, now) or schedule.next_run_at,
                schedule.next_run_at,
            )
            following = next_occurrence(schedule.cron, zone, occurrence)
            await make_run(
                self._worker.publisher,
                self._worker.queue,
                schedule,
                occurrence,
                Advance(seen=schedule.next_run_at, following=following),
            )
        upcoming = (
            await ReportSchedule.filter(enabled=True, next_run_at__isnull=False)
            .order_by("next_run_at")
            .only("id", "next_run_at")
            .first()
        )
        return upcoming.next_run_at if upcoming else None
