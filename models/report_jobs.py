"""Report jobs: what was asked for, where it stands, and its allowed transitions."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import Account
    from models.schedules import ReportSchedule


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})

# Every allowed job transition, as data: from-status -> reachable statuses.
# RUNNING -> RUNNING is a progress update or a lease renewal; RUNNING -> PENDING
# hands a job back for another attempt (retry, lost worker, shutdown);
# COMPLETED -> COMPLETED is its file expiring, or its deliveries' progress, and so is
# FAILED -> FAILED (a failed report is delivered too).
JOB_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PENDING: frozenset({JobStatus.RUNNING, JobStatus.CANCELLED}),
    JobStatus.RUNNING: frozenset(
        {
            JobStatus.RUNNING,
            JobStatus.PENDING,
            JobStatus.COMPLETED,
            JobStatus.FAILED,
            JobStatus.CANCELLED,
        }
    ),
    JobStatus.COMPLETED: frozenset({JobStatus.COMPLETED}),
    JobStatus.FAILED: frozenset({JobStatus.PENDING, JobStatus.FAILED}),
    JobStatus.CANCELLED: frozenset({JobStatus.PENDING}),
}


def statuses_leading_to(target: JobStatus) -> frozenset[JobStatus]:
    """The statuses from which `target` may be reached."""
    return frozenset(source for source, targets in JOB_TRANSITIONS.items() if target in targets)


class ReportKind(StrEnum):
    ORDERS = "ORDERS"
    SALES = "SALES"
    INVENTORY = "INVENTORY"
    CUSTOMERS = "CUSTOMERS"


class ReportFormat(StrEnum):
    CSV = "CSV"
    PDF = "PDF"

    @property
    def extension(self) -> str:
        return self.value.lower()

    @property
    def media_type(self) -> str:
        return {ReportFormat.CSV: "text/csv; charset=utf-8", ReportFormat.PDF: "application/pdf"}[
            self
        ]


class Priority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class ReportJob(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="report_jobs", on_delete=fields.CASCADE
    )
    account_id: UUID
    kind = fields.CharEnumField(ReportKind, max_length=16)
    format = fields.CharEnumField(ReportFormat, max_length=8)
    title = fields.CharField(max_length=200, null=True)
    date_from = fields.DateField(null=True)
    date_to = fields.DateField(null=True)
    status = fields.CharEnumField(JobStatus, max_length=16, default=JobStatus.PENDING)
    progress = fields.SmallIntField(default=0)
    message = fields.CharField(max_length=200, null=True)
    priority = fields.CharEnumField(Priority, max_length=8, default=Priority.NORMAL)
    attempts = fields.IntField(default=0)
    # The attempt count at which transient failures become final; None: MAX_ATTEMPTS.
    # A manual retry moves it on, so the retried job gets a full set of attempts.
    attempt_limit = fields.IntField(null=True)
    error = fields.TextField(null=True)
    row_count = fields.BigIntField(null=True)
    file_path = fields.CharField(max_length=500, null=True)
    file_size = fields.BigIntField(null=True)
    summary: dict[str, Any] | None = fields.JSONField(null=True)
    # Incremented by every update, in the same statement; events carry it so a
    # subscriber can drop anything it has already sent.
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    # Set by every transition; lets a subscriber that missed events catch up.
    updated_at = fields.DatetimeField(auto_now_add=True)
    # The version the job had when it last became PENDING: names its arq attempt.
    queued_version = fields.IntField(default=1)
    # Not to be started before this (a retry's backoff); None means at once.
    run_after = fields.DatetimeField(null=True)
    # While RUNNING: the worker renews this; once it lapses the job is taken back
    # (the safety net for a worker alive but stuck).
    lease_expires_at = fields.DatetimeField(null=True)
    # The worker run that started the job's current or last attempt, none while it waits
    # (models/worker_heartbeats.py): once a RUNNING job's run stops beating, it is taken back.
    worker_id = fields.CharField(max_length=120, null=True)
    # When a COMPLETED job's file is deleted.
    expires_at = fields.DatetimeField(null=True)
    # Asked to start no earlier than this (requestReport's runAt).
    run_at = fields.DatetimeField(null=True)
    schedule: fields.ForeignKeyNullableRelation[ReportSchedule] = fields.ForeignKeyField(
        "models.ReportSchedule", related_name="jobs", null=True, on_delete=fields.SET_NULL
    )
    schedule_id: UUID | None
    # Where the finished report goes, and how that went (models/deliveries.py): kept
    # on the job so that each change is a job change, versioned and published.
    deliveries: list[dict[str, Any]] = fields.JSONField(default=list, db_default=[])
    # When the outbox should next send this job's pending deliveries; None when
    # nothing is due. While a worker sends, it is that send's lease.
    delivery_due_at = fields.DatetimeField(null=True)

    class Meta:
        table = "report_job"
        indexes = (
            ("account_id", "created_at"),
            ("account_id", "updated_at"),
            ("status", "created_at"),
            ("status", "lease_expires_at"),
            ("status", "expires_at"),
            ("status", "run_after"),
            ("delivery_due_at",),
        )


async def jobs_by_id(ids: Sequence[UUID]) -> list[ReportJob | None]:
    """Each job (None once deleted), in one query; in `ids`' order."""
    found = {job.id: job for job in await ReportJob.filter(id__in=list(ids))}
    return [found.get(job_id) for job_id in ids]
