"""The report job as GraphQL shows it: a copy of the job's snapshot, plus its download link."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from models.deliveries import records_of
from models.download_links import download_path
from models.job_snapshots import JobSnapshot
from models.report_jobs import ReportJob as ReportJobModel
from schema.context import AppInfo
from schema.types.deliveries import Delivery, DeliveryTargetInput
from schema.types.enums import JobStatus, Priority, ReportFormat, ReportKind

if TYPE_CHECKING:
    from schema.types.schedules import ReportSchedule


@strawberry.type
class ReportJob:
    id: strawberry.ID
    title: str | None
    kind: ReportKind
    format: ReportFormat
    status: JobStatus
    progress: int
    message: str | None
    priority: Priority
    attempts: int
    error: str | None
    row_count: int | None
    file_size: int | None
    summary: JSON | None
    date_from: date | None
    date_to: date | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = strawberry.field(
        description="When a COMPLETED job's file is deleted; downloadUrl is null after."
    )
    version: int = strawberry.field(
        description="Increases with every change; a newer version supersedes an older one."
    )
    run_at: datetime | None = strawberry.field(
        description="Set when requested for later: the job stays PENDING until then."
    )
    snapshot: strawberry.Private[JobSnapshot]

    @strawberry.field(
        description="The schedule that made it; null for a direct request or once deleted."
    )
    async def schedule(
        self, info: AppInfo
    ) -> Annotated[ReportSchedule, strawberry.lazy("schema.types.schedules")] | None:
        from schema.types.schedules import ReportSchedule

        if self.snapshot.schedule_id is None:
            return None
        schedule = await info.context.report_schedules.load(self.snapshot.schedule_id)
        return ReportSchedule.from_model(schedule) if schedule is not None else None

    @strawberry.field(description="Where the finished report goes, and how that went.")
    def deliveries(self) -> list[Delivery]:
        return [Delivery.from_record(record) for record in records_of(self.snapshot.deliveries)]

    @strawberry.field(
        description="Set when COMPLETED: a signed relative URL that a plain GET can fetch "
        "until it expires."
    )
    def download_url(self, info: AppInfo) -> str | None:
        if not self.snapshot.is_downloadable(datetime.now(UTC)):
            return None
        settings = info.context.services.settings
        return download_path(
            settings.secret_key,
            self.snapshot.id,
            self.snapshot.account_id,
            settings.download_url_ttl_seconds,
        )

    @classmethod
    def from_snapshot(cls, job: JobSnapshot) -> ReportJob:
        return cls(snapshot=job, **{name: getattr(job, name) for name in _copied_fields()})

    @classmethod
    def from_model(cls, job: ReportJobModel) -> ReportJob:
        return cls.from_snapshot(JobSnapshot.from_model(job))


@cache
def _copied_fields() -> tuple[str, ...]:
    """The GraphQL fields that hold a snapshot field of the same name, copied as they are."""
    snapshot_fields = {field.name for field in dataclasses.fields(JobSnapshot)}
    return tuple(
        field.name
        for field in dataclasses.fields(ReportJob)
        if field.init and field.name in snapshot_fields
    )


@strawberry.input
class RequestReportInput:
    kind: ReportKind
    format: ReportFormat
    priority: Priority = Priority.NORMAL
    title: str | None = None
    date_from: date | None = strawberry.field(
        default=None, description="Inclusive, on the order's completedAt as a UTC date."
    )
    date_to: date | None = strawberry.field(default=None, description="Inclusive.")
    run_at: datetime | None = strawberry.field(
        default=None,
        description="Start no earlier than this (absent or past: now); at most a year ahead.",
    )
    deliver_to: list[DeliveryTargetInput] | None = strawberry.field(
        default=None, description="Also send the finished report there."
    )
