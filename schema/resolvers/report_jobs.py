"""Report jobs: request, cancel, retry, delete, and read them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import strawberry
from tortoise.expressions import F

from models.deliveries import fresh, not_sent
from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.log_context import set_job
from models.report_jobs import ReportJob as ReportJobModel
from schema.context import AppInfo, current_account
from schema.errors import ApiError, bad_input, conflict, not_found
from schema.limits.rate_limits import RateRule
from schema.resolvers.delivery_targets import check_targets
from schema.resolvers.validation import clean_text, parse_id
from schema.services import Services
from schema.types.enums import JobStatus, Priority, ReportKind
from schema.types.pagination import Connection, KeysetOrder, paginate
from schema.types.report_jobs import ReportJob, RequestReportInput
from workers.new_jobs import JobRequest, announce_job, create_job
from workers.queue import abort_attempt, enqueue_report

NEWEST_FIRST = KeysetOrder(
    fields=("created_at", "id"), parsers=(datetime.fromisoformat, UUID), descending=True
)
# Report dates must leave room for "the day after" arithmetic at both ends.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9998, 12, 31)


async def owned_job(account_id: UUID, raw_id: str) -> ReportJobModel | None:
    """The caller's job with this id; None for unknown, malformed or another's."""
    job_id = parse_id(raw_id)
    if job_id is None:
        return None
    return await ReportJobModel.get_or_none(id=job_id, account_id=account_id)


async def _owned_or_not_found(info: AppInfo, raw_id: str) -> ReportJobModel:
    """The caller's job, for a mutation acting on it: the request's lines from here on
    name it."""
    job = await owned_job(current_account(info), raw_id)
    if job is None:
        raise not_found("Report job")
    set_job(job.id, job.account_id, job.attempts)
    return job


async def _cancel(services: Services, job: ReportJobModel, message: str) -> JobSnapshot | None:
    """PENDING/RUNNING -> CANCELLED; the attempt running it, if any, is told to stop."""
    cancelled = await transition_job(
        services.publisher,
        job.id,
        JobStatus.CANCELLED,
        message=message,
        finished_at=datetime.now(UTC),
        lease_expires_at=None,
        deliveries=not_sent(job.deliveries),
    )
    if cancelled is not None:
        # The row already says CANCELLED; stopping the running attempt now
        # (rather than at its next checkpoint) is a courtesy to the worker.
        await abort_attempt(services.queue, job.id, job.queued_version)
    return cancelled


async def _refused(job: ReportJobModel, rule: str) -> ApiError:
    current = await ReportJobModel.get(id=job.id)
    return conflict(f"{rule}; this one is {current.status}")


def _to_node(job: ReportJobModel) -> ReportJob:
    return ReportJob.from_model(job)


def _check_date(field: str, value: date | None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise bad_input(field, f"{field} must be between {EARLIEST_DATE} and {LATEST_DATE}")


def a_year_after(moment: datetime) -> datetime:
    """The same date and time a year later (28 February for the 29th)."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28)


def _check_run_at(value: datetime | None) -> datetime | None:
    """When to start: None for now (absent, or already past)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise bad_input("runAt", "runAt needs a UTC offset, e.g. 2026-12-01T09:00:00Z")
    now = datetime.now(UTC)
    if value > a_year_after(now):
        raise bad_input("runAt", "runAt must be at most a year ahead")
    return value if value > now else None


async def _start(services: Services, request: JobRequest) -> ReportJob:
    """Rate-limit, check the URGENT allowance, create, publish and enqueue a job."""
    await services.rate_limiter.hit(
        RateRule("report requests", services.settings.rate_limit_reports),
        str(request.account_id),
    )
    if request.priority is Priority.URGENT:
        await _check_urgent_allowance(request.account_id, services.settings.urgent_jobs_per_account)
    job = await create_job(request)
    return ReportJob.from_snapshot(await announce_job(services.publisher, services.queue, job))


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


async def _check_urgent_allowance(account_id: UUID, allowance: int) -> None:
    """URGENT jumps every queue, so an account has it for a few jobs at a time: a flood
    of URGENT requests would otherwise be a flood ahead of every other account."""
    active = await ReportJobModel.filter(
        account_id=account_id,
        priority=Priority.URGENT,
        status__in=[JobStatus.PENDING, JobStatus.RUNNING],
    ).count()
    if active >= allowance:
        raise bad_input(
            "priority",
            f"at most {allowance} URGENT job(s) at a time; this account has {active} "
            "waiting or running. Ask HIGH, or wait for one to finish.",
        )


@strawberry.type
class ReportJobMutation:
    @strawberry.mutation(description="Queue a report; returns at once with status PENDING.")
    async def request_report(self, info: AppInfo, input: RequestReportInput) -> ReportJob:
        services = info.context.services
        title = (
            clean_text("title", input.title, max_length=200) if input.title is not None else None
        )
        _check_date("dateFrom", input.date_from)
        _check_date("dateTo", input.date_to)
        if input.date_from and input.date_to and input.date_from > input.date_to:
            raise bad_input("dateFrom", "dateFrom must not be after dateTo")
        request = JobRequest(
            account_id=current_account(info),
            kind=input.kind,
            format=input.format,
            priority=input.priority,
            title=title,
            date_from=input.date_from,
            date_to=input.date_to,
            run_at=_check_run_at(input.run_at),
            deliver_to=await check_targets(input.deliver_to, services.settings),
        )
        return await _start(services, request)

    @strawberry.mutation(
        description="Any job -> a NEW job (new id, new file) with the same parameters, "
        "PENDING; the old one is untouched."
    )
    async def regenerate_report(self, info: AppInfo, id: strawberry.ID) -> ReportJob:
        job = await _owned_or_not_found(info, id)
        return await _start(info.context.services, JobRequest.like(job))

    @strawberry.mutation(description="PENDING/RUNNING -> CANCELLED.")
    async def cancel_report(self, info: AppInfo, id: strawberry.ID) -> ReportJob:
        job = await _owned_or_not_found(info, id)
        cancelled = await _cancel(info.context.services, job, "Cancelled")
        if cancelled is None:
            raise await _refused(job, "Only a PENDING or RUNNING job can be cancelled")
        return ReportJob.from_snapshot(cancelled)

    @strawberry.mutation(description="FAILED/CANCELLED -> a new attempt, status PENDING.")
    async def retry_report(self, info: AppInfo, id: strawberry.ID) -> ReportJob:
        job = await _owned_or_not_found(info, id)
        services = info.context.services
        # A job asked for later and cancelled while it waited still waits for its time.
        wait_until = job.run_at if job.run_at and job.run_at > datetime.now(UTC) else None
        retried = await transition_job(
            services.publisher,
            job.id,
            JobStatus.PENDING,
            only_from={JobStatus.FAILED, JobStatus.CANCELLED},
            progress=0,
            message="Queued",
            error=None,
            started_at=None,
            finished_at=None,
            row_count=None,
            file_size=None,
            file_path=None,
            summary=None,
            run_after=wait_until,
            expires_at=None,
            # A new outcome is delivered anew, to the same targets.
            deliveries=fresh(job.deliveries),
            delivery_due_at=None,
            attempt_limit=F("attempts") + services.settings.max_attempts,
        )
        if retried is None:
            raise await _refused(job, "Only a FAILED or CANCELLED job can be retried")
        if wait_until is None:
            await enqueue_report(services.queue, retried.id, retried.version, retried.priority)
        return ReportJob.from_snapshot(retried)

    @strawberry.mutation(
        description="Delete a job and its file. A running job is cancelled first. "
        "Returns true once deleted."
    )
    async def delete_report(self, info: AppInfo, id: strawberry.ID) -> bool:
        job = await _owned_or_not_found(info, id)
        services = info.context.services
        if not JobStatus(job.status).is_terminal:
            await _cancel(services, job, "Deleted")
        await ReportJobModel.filter(id=job.id).delete()
        await services.storage.delete_job(job.id)
        return True
