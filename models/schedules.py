"""Report schedules: a cron expression read in a time zone, and the runs it made."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.report_jobs import Priority, ReportFormat, ReportKind

if TYPE_CHECKING:
    from models.accounts import Account
    from models.report_jobs import ReportJob


class ReportPeriod(StrEnum):
    PREVIOUS_DAY = "PREVIOUS_DAY"
    LAST_7_DAYS = "LAST_7_DAYS"
    PREVIOUS_WEEK = "PREVIOUS_WEEK"
    PREVIOUS_MONTH = "PREVIOUS_MONTH"
    MONTH_TO_DATE = "MONTH_TO_DATE"
    YEAR_TO_DATE = "YEAR_TO_DATE"


class ReportSchedule(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="report_schedules", on_delete=fields.CASCADE
    )
    account_id: UUID
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(ReportKind, max_length=16)
    format = fields.CharEnumField(ReportFormat, max_length=8)
    priority = fields.CharEnumField(Priority, max_length=8, default=Priority.NORMAL)
    title = fields.CharField(max_length=200, null=True)
    cron = fields.CharField(max_length=200)
    time_zone = fields.CharField(max_length=64)
    period = fields.CharEnumField(ReportPeriod, max_length=16, null=True)
    enabled = fields.BooleanField(default=True)
    # [{"channel": "EMAIL" | "WEBHOOK", "target": "..."}], copied onto each job it makes.
    deliver_to: list[dict[str, Any]] = fields.JSONField(default=list)
    # The next occurrence not yet run, in UTC; None while disabled. Every worker's
    # tick looks for schedules whose moment has come.
    next_run_at = fields.DatetimeField(null=True)
    last_run_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "report_schedule"
        indexes = (("enabled", "next_run_at"), ("account_id", "created_at"))


class ScheduleRun(Model):
    """One occurrence run (or one "run now"). The unique key on (schedule, occurrence)
    is what makes a schedule fire once per occurrence however many workers tick."""

    id = fields.UUIDField(primary_key=True)
    schedule: fields.ForeignKeyRelation[ReportSchedule] = fields.ForeignKeyField(
        "models.ReportSchedule", related_name="runs", on_delete=fields.CASCADE
    )
    schedule_id: UUID
    scheduled_for = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    job: fields.ForeignKeyNullableRelation[ReportJob] = fields.ForeignKeyField(
        "models.ReportJob", related_name="schedule_runs", null=True, on_delete=fields.SET_NULL
    )
    job_id: UUID | None

    class Meta:
        table = "schedule_run"
        unique_together = (("schedule_id", "scheduled_for"),)
        indexes = (("schedule_id", "created_at"),)


async def schedules_by_id(ids: Sequence[UUID]) -> list[ReportSchedule | None]:
    """Each schedule (None once deleted), in one query; in `ids`' order."""
    found = {s.id: s for s in await ReportSchedule.filter(id__in=list(ids))}
    return [found.get(schedule_id) for schedule_id in ids]
