"""A new report job: its row, its first event, and its place in the queue.

Every way a job is born goes through here (requestReport, regenerateReport, a
schedule's run), so they all start the same way: PENDING, published, then
enqueued; or, asked for later, PENDING with `run_at` and left to the sweep,
which enqueues it when it is due (workers/sweeper.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from arq.connections import ArqRedis
from tortoise.backends.base.client import BaseDBAsyncClient

from models.deliveries import DeliveryRecord, DeliveryTarget
from models.job_events import JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.report_jobs import Priority, ReportFormat, ReportJob, ReportKind
from workers.queue import enqueue_report

QUEUED_MESSAGE = "Queued"
WAITING_MESSAGE = "Waiting for its start time"


@dataclass(frozen=True, slots=True)
class JobRequest:
    """What a job is asked to be: the parameters regenerating it copies."""

    account_id: UUID
    kind: ReportKind
    format: ReportFormat
    priority: Priority = Priority.NORMAL
    title: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    run_at: datetime | None = None
    schedule_id: UUID | None = None
    deliver_to: tuple[DeliveryTarget, ...] = field(default_factory=tuple)

    @classmethod
    def like(cls, job: ReportJob | JobSnapshot) -> JobRequest:
        """Another job with the same parameters; it starts now and keeps no schedule."""
        return cls(
            account_id=job.account_id,
            kind=ReportKind(job.kind),
            format=ReportFormat(job.format),
            priority=Priority(job.priority),
            title=job.title,
            date_from=job.date_from,
            date_to=job.date_to,
            deliver_to=tuple(
                DeliveryTarget(channel=record.channel, target=record.target)
                for record in map(DeliveryRecord.from_json, job.deliveries or [])
            ),
        )


async def create_job(
    request: JobRequest, *, using_db: BaseDBAsyncClient | None = None
) -> ReportJob:
    """The job's row, PENDING; not yet published nor enqueued (see `announce_job`)."""
    now = datetime.now(UTC)
    later = request.run_at if request.run_at is not None and request.run_at > now else None
    values: dict[str, Any] = {
        "account_id": request.account_id,
        "kind": request.kind,
        "format": request.format,
        "priority": request.priority,
        "title": request.title,
        "date_from": request.date_from,
        "date_to": request.date_to,
        "run_at": later,
        # The sweep enqueues a job once its run_after has come.
        "run_after": later,
        "schedule_id": request.schedule_id,
        "deliveries": [DeliveryRecord.for_target(t).to_json() for t in request.deliver_to],
        "message": WAITING_MESSAGE if later else QUEUED_MESSAGE,
    }
    return await ReportJob.create(using_db=using_db, **values)


async def announce_job(
    publisher: JobEventPublisher, queue: ArqRedis, job: ReportJob
) -> JobSnapshot:
    """Publish a committed new job, then enqueue it unless it waits for its run_at.

    The event goes first: enqueued first, the worker's RUNNING could overtake it,
    and subscribers drop an older version (one watching PENDING would miss the job).
    If Redis is down now the row is still PENDING: the workers' sweep enqueues it.
    """
    snapshot = JobSnapshot.from_model(job)
    await publisher.publish(snapshot)
    if job.run_after is None:
        await enqueue_report(queue, job.id, job.queued_version, snapshot.priority)
    return snapshot
