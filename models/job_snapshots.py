"""A report job as the outside world sees it, built from a row or from an event."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from models.report_jobs import (
    JobStatus,
    Priority,
    ReportFormat,
    ReportJob,
    ReportKind,
)


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    id: UUID
    account_id: UUID
    version: int
    kind: ReportKind
    format: ReportFormat
    status: JobStatus
    title: str | None
    date_from: date | None
    date_to: date | None
    progress: int
    message: str | None
    priority: Priority
    attempts: int
    attempt_limit: int | None
    error: str | None
    row_count: int | None
    file_size: int | None
    summary: Any
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    expires_at: datetime | None
    has_file: bool

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    def is_downloadable(self, now: datetime) -> bool:
        return (
            self.status is JobStatus.COMPLETED
            and self.has_file
            and (self.expires_at is None or self.expires_at > now)
        )

    @classmethod
    def from_model(cls, job: ReportJob) -> JobSnapshot:
        return cls(
            id=UUID(str(job.id)),
            account_id=UUID(str(job.account_id)),
            version=job.version,
            kind=ReportKind(job.kind),
            format=ReportFormat(job.format),
            status=JobStatus(job.status),
            title=job.title,
            date_from=job.date_from,
            date_to=job.date_to,
            progress=job.progress,
            message=job.message,
            priority=Priority(job.priority),
            attempts=job.attempts,
            attempt_limit=job.attempt_limit,
            error=job.error,
            row_count=job.row_count,
            file_size=job.file_size,
            summary=job.summary,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            updated_at=job.updated_at,
            expires_at=job.expires_at,
            has_file=job.file_path is not None,
        )

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), default=_encode_value, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> JobSnapshot:
        data = json.loads(raw)
        return cls(
            id=UUID(data["id"]),
            account_id=UUID(data["account_id"]),
            version=int(data["version"]),
            kind=ReportKind(data["kind"]),
            format=ReportFormat(data["format"]),
            status=JobStatus(data["status"]),
            title=data["title"],
            date_from=_date_or_none(data["date_from"]),
            date_to=_date_or_none(data["date_to"]),
            progress=int(data["progress"]),
            message=data["message"],
            priority=Priority(data["priority"]),
            attempts=int(data["attempts"]),
            attempt_limit=data["attempt_limit"],
            error=data["error"],
            row_count=data["row_count"],
            file_size=data["file_size"],
            summary=data["summary"],
            created_at=datetime.fromisoformat(data["created_at"]),
            started_at=_datetime_or_none(data["started_at"]),
            finished_at=_datetime_or_none(data["finished_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            expires_at=_datetime_or_none(data["expires_at"]),
            has_file=bool(data["has_file"]),
        )


def _encode_value(value: object) -> str:
    if isinstance(value, UUID | date | datetime):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    raise TypeError(f"cannot encode {type(value).__name__} in a job event")


def _date_or_none(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _datetime_or_none(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None
