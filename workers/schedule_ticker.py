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
                wait = self._clock.wall_time_of(following) - time.time() if following else 0.0
                if wait > 0:
                    # Wake on the dot for an occurrence due before the next tick.
                    pause = min(pause, wait)
            except Exception as exc:
                if is_connection_failure(exc):
                    logger.warning("schedules: tick skipped, a service is unreachable (%s)", exc)
                else:
                    logger.exception("schedules: tick failed")
            await asyncio.sleep(pause)

    async def tick(self) -> datetime | None:
        """Make the runs that are due; returns the next occurrence still ahead."""
        now = self._clock.now()
        due = (
            await ReportSchedule.filter(enabled=True, next_run_at__lte=now)
            .order_by("next_run_at")
            .limit(TICK_BATCH)
        )
        for schedule in due:
            try:
                await self._run(schedule, now)
            except Exception as exc:
                if is_connection_failure(exc):
                    raise
                # One broken schedule must not hold up the others behind it.
                logger.exception("schedule %s: its run could not be made", schedule.id)
        upcoming = (
            await ReportSchedule.filter(enabled=True, next_run_at__gt=now)
            .order_by("next_run_at")
            .only("id", "next_run_at")
            .first()
        )
        return upcoming.next_run_at if upcoming else None

    async def _run(self, schedule: ReportSchedule, now: datetime) -> None:
        assert schedule.next_run_at is not None
        try:
            zone = time_zone(schedule.time_zone)
        except CalendarError:
            # Its zone left the zone database since it was saved: it cannot run.
            logger.exception("schedule %s: cannot read its time zone", schedule.id)
            return
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
