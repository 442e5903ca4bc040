"""The report job as GraphQL shows it: a copy of the job's snapshot, plus its download link."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from functools import cache

import strawberry
from strawberry.scalars import JSON

from models.job_snapshots import JobSnapshot
from schema.context import AppInfo
from schema.http.download_links import download_path
from schema.types.enums import JobStatus, Priority, ReportFormat, ReportKind


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
    snapshot: strawberry.Private[JobSnapshot]

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
