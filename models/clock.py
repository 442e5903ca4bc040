"""The time schedules and delayed jobs are read against.

It is the wall clock, except in tests that need a calendar moment to arrive
(a daylight-saving change, a missed occurrence): TEST_CLOCK_START makes every
process of a test read the same made-up time, running TEST_CLOCK_RATE times as
fast from the wall-clock moment TEST_CLOCK_ANCHOR.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from models.settings import Settings


class Clock:
    def __init__(self, settings: Settings) -> None:
        self._start = (
            datetime.fromisoformat(settings.test_clock_start).astimezone(UTC)
            if settings.test_clock_start
            else None
        )
        self._anchor = settings.test_clock_anchor
        self._rate = settings.test_clock_rate

    def now(self) -> datetime:
        if self._start is None:
            return datetime.now(UTC)
        elapsed = (time.time() - self._anchor) * self._rate
        return self._start + timedelta(seconds=elapsed)

    def wall_time_of(self, moment: datetime) -> float:
        """The Unix time at which this clock reads (or read) `moment`."""
        if self._start is None:
            return moment.timestamp()
        return self._anchor + (moment - self._start).total_seconds() / self._rate
