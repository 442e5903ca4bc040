"""GraphQL types of report schedules and the runs they made."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from models.deliveries import DeliveryTarget as DeliveryTargetModel
from models.schedules import ReportSchedule as ReportScheduleModel
from models.schedules import ScheduleRun as ScheduleRunModel
from schema.context import AppInfo
from schema.types.deliveries import DeliveryTarget, DeliveryTargetInput
from schema.types.enums import Priority, ReportFormat, ReportKind, ReportPeriod
from schema.types.pagination import Connection, KeysetOrder, paginate

if TYPE_CHECKING:
    from schema.types.report_jobs import ReportJob

NEWEST_RUNS_FIRST = KeysetOrder(
    fields=("created_at", "id"), parsers=(datetime.fromisoformat, UUID), descending=True
)
DEFAULT_RUNS_PAGE = 20


@strawberry.type
class ScheduleRun:
    id: strawberry.ID
    scheduled_for: datetime = strawberry.field(
        description="The occurrence this run stands for (the request time for a run now)."
    )
    created_at: datetime
    job_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The job this run made; null once that job is deleted.")
    async def job(
        self, info: AppInfo
    ) -> Annotated[ReportJob, strawberry.lazy("schema.types.report_jobs")] | None:
        from schema.types.report_jobs import ReportJob

        if self.job_id is None:
            return None
        job = await info.context.report_jobs.load(self.job_id)
        return ReportJob.from_model(job) if job is not None else None

    @classmethod
    def from_model(cls, run: ScheduleRunModel) -> ScheduleRun:
        return cls(
            id=strawberry.ID(str(run.id)),
            scheduled_for=run.scheduled_for,
            created_at=run.created_at,
            job_id=run.job_id,
        )


@strawberry.type
class ReportSchedule:
    id: strawberry.ID
    name: str
    kind: ReportKind
    format: ReportFormat
    priority: Priority
    title: str | None
    cron: str = strawberry.field(
        description="Five fields: minute hour day-of-month month day-of-week."
    )
    time_zone: str = strawberry.field(
        description='IANA name, e.g. "Europe/Berlin"; cron and period are read in it.'
    )
    period: ReportPeriod | None = strawberry.field(
        description="The dates each run reports on; null = all time."
    )
    enabled: bool
    deliver_to: list[DeliveryTarget]
    next_run_at: datetime | None = strawberry.field(description="Null while disabled.")
    last_run_at: datetime | None
    created_at: datetime

    @strawberry.field(description="Newest first.")
    async def runs(
        self, first: int | None = DEFAULT_RUNS_PAGE, after: str | None = None
    ) -> Connection[ScheduleRun]:
        return await paginate(
            ScheduleRunModel.filter(schedule_id=self.id),
            NEWEST_RUNS_FIRST,
            first,
            after,
            ScheduleRun.from_model,
        )

    @classmethod
    def from_model(cls, schedule: ReportScheduleModel) -> ReportSchedule:
        return cls(
            id=strawberry.ID(str(schedule.id)),
            name=schedule.name,
            kind=schedule.kind,
            format=schedule.format,
            priority=schedule.priority,
            title=schedule.title,
            cron=schedule.cron,
            time_zone=schedule.time_zone,
            period=schedule.period,
            enabled=schedule.enabled,
            deliver_to=[
                DeliveryTarget.from_model(DeliveryTargetModel.from_json(target))
                for target in schedule.deliver_to
            ],
            next_run_at=schedule.next_run_at if schedule.enabled else None,
            last_run_at=schedule.last_run_at,
            created_at=schedule.created_at,
        )


@strawberry.input
class ReportScheduleInput:
    name: str
    kind: ReportKind
    format: ReportFormat
    priority: Priority = Priority.NORMAL
    title: str | None = None
    cron: str = strawberry.field(
        description="Five fields: minute hour day-of-month month day-of-week, e.g. "
        '"0 7 * * MON". Invalid: BAD_USER_INPUT with field "cron".'
    )
    time_zone: str = strawberry.field(
        default="UTC", description='Unknown zone: BAD_USER_INPUT with field "timeZone".'
    )
    period: ReportPeriod | None = None
    enabled: bool = True
    deliver_to: list[DeliveryTargetInput] = strawberry.field(default_factory=list)
