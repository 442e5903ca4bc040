"""The calendar alone: occurrences across daylight-saving changes, and report periods."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.schedule_calendar import (
    CalendarError,
    check_cron,
    latest_occurrence,
    next_occurrence,
    period_dates,
    time_zone,
)
from models.schedules import ReportPeriod

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def occurrences(expression: str, zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    found: list[datetime] = []
    following = next_occurrence(expression, zone, start)
    while following is not None and following < end:
        found.append(following)
        following = next_occurrence(expression, zone, following)
    return found


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_skipped_time_runs_once_at_the_next_valid_instant() -> None:
    day = occurrences("30 2 * * *", BERLIN, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    assert day == [utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)], "03:00 CEST, then 02:30"


def test_a_repeated_time_runs_once_however_often_the_hour_names_it() -> None:
    fixed = occurrences("30 2 * * *", BERLIN, utc(2026, 10, 24, 12), utc(2026, 10, 26, 12))
    assert fixed == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    quarters = occurrences("*/15 1 * * *", NEW_YORK, utc(2025, 11, 2, 4), utc(2025, 11, 2, 8))
    assert quarters == [utc(2025, 11, 2, 5, m) for m in (0, 15, 30, 45)], "four, not eight"
    every_half_hour = occurrences(
        "*/30 * * * *", BERLIN, utc(2026, 10, 25, 0), utc(2026, 10, 25, 2)
    )
    assert every_half_hour == [
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 1),
        utc(2026, 10, 25, 1, 30),
    ], "every 30 minutes of real time, through both 02:00-03:00 hours"


def test_the_next_occurrence_is_always_after_the_moment_given() -> None:
    # Inside the repeated hour, cronsim alone answers the first 01:30 (already past).
    after = utc(2025, 11, 2, 6, 0)  # 01:00 EST, the second time round
    assert next_occurrence("30 1 * * *", NEW_YORK, after) == utc(2025, 11, 3, 6, 30)
    after = utc(2026, 10, 25, 1, 0)  # 02:00 CET, the second time round
    assert next_occurrence("30 2 * * *", BERLIN, after) == utc(2026, 10, 26, 1, 30)


def test_the_latest_occurrence_is_the_catch_up() -> None:
    assert latest_occurrence("0 * * * *", BERLIN, utc(2026, 6, 1, 12, 59)) == utc(2026, 6, 1, 12)
    assert latest_occurrence("0 * * * *", BERLIN, utc(2026, 6, 1, 12)) == utc(2026, 6, 1, 12)
    assert latest_occurrence("30 1 * * *", NEW_YORK, utc(2025, 11, 2, 7)) == utc(2025, 11, 2, 5, 30)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (ReportPeriod.PREVIOUS_DAY, (date(2026, 2, 28), date(2026, 2, 28))),
        (ReportPeriod.LAST_7_DAYS, (date(2026, 2, 22), date(2026, 2, 28))),
        (ReportPeriod.PREVIOUS_WEEK, (date(2026, 2, 16), date(2026, 2, 22))),
        (ReportPeriod.PREVIOUS_MONTH, (date(2026, 2, 1), date(2026, 2, 28))),
        (ReportPeriod.MONTH_TO_DATE, (date(2026, 3, 1), date(2026, 2, 28))),
        (ReportPeriod.YEAR_TO_DATE, (date(2026, 1, 1), date(2026, 2, 28))),
        (None, (None, None)),
    ],
)
def test_periods_are_read_in_the_zone_on_the_run_s_day(
    period: ReportPeriod | None, expected: tuple[date | None, date | None]
) -> None:
    # 23:30 UTC on 28 February is already 1 March (a Sunday) in Berlin.
    assert period_dates(period, BERLIN, utc(2026, 2, 28, 23, 30)) == expected


@pytest.mark.parametrize(
    "expression", ["0 7 * *", "0 7 * * * *", "0 24 * * *", "61 * * * *", "0 0 31 4 *", "@daily", ""]
)
def test_invalid_cron_is_refused(expression: str) -> None:
    with pytest.raises(CalendarError):
        check_cron(expression)


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "", "Europe/Berlin\\x00"])
def test_unknown_zones_are_refused(name: str) -> None:
    with pytest.raises(CalendarError):
        time_zone(name)
