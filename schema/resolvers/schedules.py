"""Report schedules: create, change, enable, run now, delete, and read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry

from models.schedule_calendar import CalendarError, check_cron, next_occurrence, time_zone
from models.schedules import ReportSchedule as ReportScheduleModel
from schema.context import AppInfo, current_account
from schema.errors import bad_input, conflict, not_found
from schema.limits.rate_limits import RateRule
from schema.resolvers.delivery_targets import check_targets
from schema.resolvers.validation import clean_text, parse_id
from schema.types.enums import Priority
from schema.types.pagination import Connection, KeysetOrder, paginate
from schema.types.schedules import ReportSchedule, ReportScheduleInput, ScheduleRun
from workers.schedule_runs import make_run

NEWEST_FIRST = KeysetOrder(
    fields=("created_at", "id"), parsers=(datetime.fromisoformat, UUID), descending=True
)
# Schedules one account may keep; each can make a job a minute.
MAX_SCHEDULES_PER_ACCOUNT = 100


async def _owned_or_not_found(info: AppInfo, raw_id: str) -> ReportScheduleModel:
    schedule_id = parse_id(raw_id)
    schedule = (
        await ReportScheduleModel.get_or_none(id=schedule_id, account_id=current_account(info))
        if schedule_id is not None
        else None
    )
    if schedule is None:
        raise not_found("Report schedule")
    return schedule


async def _columns(info: AppInfo, input: ReportScheduleInput) -> dict[str, Any]:
    """The schedule's columns from its input, every field checked; next_run_at from now."""
    try:
        cron = check_cron(input.cron)
    except CalendarError as exc:
        raise bad_input("cron", str(exc)) from None
    try:
        zone = time_zone(input.time_zone)
    except CalendarError as exc:
        raise bad_input("timeZone", str(exc)) from None
    if input.priority is Priority.URGENT:
        raise bad_input(
            "priority",
            "URGENT is for a person waiting for a report; a schedule runs at most HIGH",
        )
    services = info.context.services
    return {
        "name": clean_text("name", input.name, max_length=200),
        "kind": input.kind,
        "format": input.format,
        "priority": input.priority,
        "title": (
            clean_text("title", input.title, max_length=200) if input.title is not None else None
        ),
        "cron": cron,
        "time_zone": zone.key,
        "period": input.period,
        "enabled": input.enabled,
        "deliver_to": [
            t.to_json() for t in await check_targets(input.deliver_to, services.settings)
        ],
        # Occurrences before this moment are not run: only those still ahead.
        "next_run_at": (
            next_occurrence(cron, zone, services.clock.now()) if input.enabled else None
        ),
    }


@strawberry.type
class ScheduleQuery:
    @strawberry.field
    async def report_schedule(self, info: AppInfo, id: strawberry.ID) -> ReportSchedule | None:
        schedule_id = parse_id(id)
        if schedule_id is None:
            return None
        schedule = await ReportScheduleModel.get_or_none(
            id=schedule_id, account_id=current_account(info)
        )
        return ReportSchedule.from_model(schedule) if schedule else None

    @strawberry.field(description="Newest first.")
    async def report_schedules(
        self, info: AppInfo, first: int | None = 50, after: str | None = None
    ) -> Connection[ReportSchedule]:
        queryset = ReportScheduleModel.filter(account_id=current_account(info))
        return await paginate(queryset, NEWEST_FIRST, first, after, ReportSchedule.from_model)


@strawberry.type
class ScheduleMutation:
    @strawberry.mutation
    async def create_report_schedule(
        self, info: AppInfo, input: ReportScheduleInput
    ) -> ReportSchedule:
        account_id = current_account(info)
        columns = await _columns(info, input)
        held = await ReportScheduleModel.filter(account_id=account_id).count()
        if held >= MAX_SCHEDULES_PER_ACCOUNT:
            raise conflict(
                f"An account keeps at most {MAX_SCHEDULES_PER_ACCOUNT} schedules; delete one first"
            )
        schedule = await ReportScheduleModel.create(account_id=account_id, **columns)
        return ReportSchedule.from_model(schedule)

    @strawberry.mutation(
        description="Replace the schedule's settings; it runs next at the first occurrence "
        "after now."
    )
    async def update_report_schedule(
        self, info: AppInfo, id: strawberry.ID, input: ReportScheduleInput
    ) -> ReportSchedule:
        schedule = await _owned_or_not_found(info, id)
        columns = await _columns(info, input)
        await ReportScheduleModel.filter(id=schedule.id).update(**columns)
        await schedule.refresh_from_db()
        return ReportSchedule.from_model(schedule)

    @strawberry.mutation(
        description="Disabled, it makes no runs; enabled again, it runs from the next "
        "occurrence after now (none of those it missed)."
    )
    async def set_report_schedule_enabled(
        self, info: AppInfo, id: strawberry.ID, enabled: bool
    ) -> ReportSchedule:
        schedule = await _owned_or_not_found(info, id)
        clock = info.context.services.clock
        if enabled:
            following = next_occurrence(schedule.cron, time_zone(schedule.time_zone), clock.now())
            # Only a disabled schedule takes a new next run: an enabled one keeps the
            # occurrence it waits for, even one due this very moment.
            await ReportScheduleModel.filter(id=schedule.id, enabled=False).update(
                enabled=True, next_run_at=following
            )
        else:
            await ReportScheduleModel.filter(id=schedule.id).update(enabled=False, next_run_at=None)
        await schedule.refresh_from_db()
        return ReportSchedule.from_model(schedule)

    @strawberry.mutation(description="One run now, outside the calendar.")
    async def run_report_schedule_now(self, info: AppInfo, id: strawberry.ID) -> ScheduleRun:
        schedule = await _owned_or_not_found(info, id)
        services = info.context.services
        await services.rate_limiter.hit(
            RateRule("report requests", services.settings.rate_limit_reports),
            str(schedule.account_id),
        )
        run = await make_run(services.publisher, services.queue, schedule, services.clock.now())
        if run is None:
            raise conflict("A run for this very moment exists already; try again")
        return ScheduleRun.from_model(run)

    @strawberry.mutation(description="Its jobs stay; their schedule becomes null.")
    async def delete_report_schedule(self, info: AppInfo, id: strawberry.ID) -> bool:
        schedule = await _owned_or_not_found(info, id)
        await ReportScheduleModel.filter(id=schedule.id).delete()
        return True
