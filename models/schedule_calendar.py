"""When a schedule runs, and which dates a run reports on.

Cron expressions are read by cronsim in the schedule's zone (zoneinfo, with
tzdata where the system has no zone files). Daylight-saving changes follow
cron: a local time that does not exist (clocks spring forward) runs once, at
the first instant after the gap; one that happens twice (clocks fall back)
runs once, the first time, however many times the expression names it in that
hour ("*/15 1 * * *" runs four times, not eight). Expressions whose hour field
is a wildcard or a step over every hour ("*/30 * * * *") run at every instant
they name, in both repeated hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from models.schedules import ReportPeriod

CRON_FIELDS = 5
# Candidates looked at for one answer: past a handful only when the clocks changed.
LOOK_AHEAD = 1_000


class CalendarError(ValueError):
    """A cron expression or time zone this service cannot read."""


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from exc


def check_cron(expression: str) -> str:
    """The expression, tidied, if it is five cron fields cronsim can read."""
    fields = expression.split()
    if len(fields) != CRON_FIELDS:
        raise CalendarError(
            "cron must have five fields: minute hour day-of-month month day-of-week, "
            f"e.g. '0 7 * * MON'; got {len(fields)}"
        )
    tidy = " ".join(fields)
    try:
        CronSim(tidy, datetime.now(UTC))
    except CronSimError as exc:
        raise CalendarError(f"cron {tidy!r} is not valid: {exc}") from exc
    return tidy


def next_occurrence(expression: str, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first occurrence strictly after `after`, in UTC; None if there is none."""
    # cronsim starts from the wall time, not the instant: in a repeated hour it may
    # give a time before `after`.
    for candidate in islice(CronSim(expression, after.astimezone(zone)), LOOK_AHEAD):
        moment = candidate.astimezone(UTC)
        if moment > after and not _repeated(expression, candidate):
            return moment
    return None


def latest_occurrence(expression: str, zone: ZoneInfo, at_or_before: datetime) -> datetime | None:
    """The last occurrence at or before `at_or_before`, in UTC: what a catch-up runs."""
    # cronsim's reverse iteration starts strictly before its start.
    start = (at_or_before + timedelta(microseconds=1)).astimezone(zone)
    for candidate in islice(CronSim(expression, start, reverse=True), LOOK_AHEAD):
        moment = candidate.astimezone(UTC)
        if moment <= at_or_before and not _repeated(expression, candidate):
            return moment
    return None


def _repeated(expression: str, local: datetime) -> bool:
    """The second instance of a local time that happened twice (clocks fell back), for an
    expression naming its hours: it ran the first time. Every-hour expressions
    (`*`, `*/n`) name instants, and run in both repeated hours."""
    hours = expression.split()[1]
    return local.fold == 1 and not (hours == "*" or hours.startswith("*/"))


def period_dates(
    period: ReportPeriod | None, zone: ZoneInfo, occurrence: datetime
) -> tuple[date | None, date | None]:
    """The inclusive dates a run at `occurrence` reports on, read in `zone`; both None
    for all time. On the 1st, MONTH_TO_DATE is empty (from the 1st to the day
    before), and so is YEAR_TO_DATE on 1 January."""
    if period is None:
        return None, None
    day = occurrence.astimezone(zone).date()
    yesterday = day - timedelta(days=1)
    if period is ReportPeriod.PREVIOUS_DAY:
        return yesterday, yesterday
    if period is ReportPeriod.LAST_7_DAYS:
        return day - timedelta(days=7), yesterday
    if period is ReportPeriod.PREVIOUS_WEEK:
        this_monday = day - timedelta(days=day.weekday())
        return this_monday - timedelta(days=7), this_monday - timedelta(days=1)
    if period is ReportPeriod.PREVIOUS_MONTH:
        last_of_previous = day.replace(day=1) - timedelta(days=1)
        return last_of_previous.replace(day=1), last_of_previous
    if period is ReportPeriod.MONTH_TO_DATE:
        return day.replace(day=1), yesterday
    return day.replace(month=1, day=1), yesterday
