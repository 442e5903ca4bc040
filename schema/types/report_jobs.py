from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry
from strawberry.scalars import JSON

from models.job_snapshots import JobSnapshot
from schema.context import AppInfo
from schema.signing import download_path
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
        return cls(
            id=strawberry.ID(str(job.id)),
            title=job.title,
            kind=job.kind,
            format=job.format,
            status=job.status,
            progress=job.progress,
            message=job.message,
            priority=job.priority,
            attempts=job.attempts,
            error=job.error,
            row_count=job.row_count,
            file_size=job.file_size,
            summary=job.summary,
            date_from=job.date_from,
            date_to=job.date_to,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            expires_at=job.expires_at,
            version=job.version,
            snapshot=job,
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
