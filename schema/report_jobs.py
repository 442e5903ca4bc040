"""Report jobs: request, cancel, retry, and read them."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import strawberry

from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.report_jobs import ReportJob as ReportJobModel
from schema.context import AppInfo, current_account
from schema.errors import bad_input, conflict, not_found
from schema.types.enums import JobStatus, ReportKind
from schema.types.pagination import Connection, KeysetOrder, paginate
from schema.types.report_jobs import ReportJob, RequestReportInput
from schema.validation import clean_text, parse_id
from workers.queue import enqueue_report

NEWEST_FIRST = KeysetOrder(
    fields=("created_at", "id"), parsers=(datetime.fromisoformat, UUID), descending=True
)


async def owned_job(account_id: UUID, raw_id: str) -> ReportJobModel | None:
    """The caller's job with this id; None for unknown, malformed or another's."""
    job_id = parse_id(raw_id)
    if job_id is None:
        return None
    return await ReportJobModel.get_or_none(id=job_id, account_id=account_id)


def _to_node(job: ReportJobModel) -> ReportJob:
    return ReportJob.from_snapshot(JobSnapshot.from_model(job))


@strawberry.type
class ReportJobQuery:
    @strawberry.field
    async def report_job(self, info: AppInfo, id: strawberry.ID) -> ReportJob | None:
        job = await owned_job(current_account(info), id)
        return _to_node(job) if job else None

    @strawberry.field
    async def report_jobs(
        self,
        info: AppInfo,
        status: JobStatus | None = None,
        kind: ReportKind | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[ReportJob]:
        queryset = ReportJobModel.filter(account_id=current_account(info))
        if status is not None:
            queryset = queryset.filter(status=status)
        if kind is not None:
            queryset = queryset.filter(kind=kind)
        return await paginate(queryset, NEWEST_FIRST, first, after, _to_node)


@strawberry.type
class ReportJobMutation:
    @strawberry.mutation(description="Queue a report; returns at once with status PENDING.")
    async def request_report(self, info: AppInfo, input: RequestReportInput) -> ReportJob:
        account_id = current_account(info)
        title = (
            clean_text("title", input.title, max_length=200) if input.title is not None else None
        )
        if input.date_from and input.date_to and input.date_from > input.date_to:
            raise bad_input("dateFrom", "dateFrom must not be after dateTo")
        services = info.context.services
        job = await ReportJobModel.create(
            account_id=account_id,
            kind=input.kind,
            format=input.format,
            priority=input.priority,
            title=title,
            date_from=input.date_from,
            date_to=input.date_to,
            message="Queued",
        )
        snapshot = JobSnapshot.from_model(job)
        await services.publisher.publish(snapshot)
        await enqueue_report(services.queue, job.id, job.version, snapshot.priority)
        return ReportJob.from_snapshot(snapshot)

    @strawberry.mutation(description="PENDING/RUNNING -> CANCELLED.")
    async def cancel_report(self, info: AppInfo, id: strawberry.ID) -> ReportJob:
        job = await owned_job(current_account(info), id)
        if job is None:
            raise not_found("Report job")
        cancelled = await transition_job(
            info.context.services.publisher,
            job.id,
            JobStatus.CANCELLED,
            message="Cancelled",
            finished_at=datetime.now(UTC),
        )
        if cancelled is None:
            current = await ReportJobModel.get(id=job.id)
            raise conflict(
                f"Only a PENDING or RUNNING job can be cancelled; this one is {current.status}"
            )
        return ReportJob.from_snapshot(cancelled)

    @strawberry.mutation(description="FAILED/CANCELLED -> a new attempt, status PENDING.")
    async def retry_report(self, info: AppInfo, id: strawberry.ID) -> ReportJob:
        job = await owned_job(current_account(info), id)
        if job is None:
            raise not_found("Report job")
        services = info.context.services
        retried = await transition_job(
            services.publisher,
            job.id,
            JobStatus.PENDING,
            progress=0,
            message="Queued",
            error=None,
            started_at=None,
            finished_at=None,
            row_count=None,
            file_size=None,
            file_path=None,
            summary=None,
        )
        if retried is None:
            current = await ReportJobModel.get(id=job.id)
            raise conflict(
                f"Only a FAILED or CANCELLED job can be retried; this one is {current.status}"
            )
        await enqueue_report(services.queue, retried.id, retried.version, retried.priority)
        return ReportJob.from_snapshot(retried)
