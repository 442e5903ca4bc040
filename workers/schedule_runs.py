"""A schedule's run: one row per occurrence, and the job it makes, in one transaction.

The unique key on (schedule, occurrence) decides which of the workers ticking
at the same moment makes the run; the others' inserts fail and they move on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from arq.connections import ArqRedis
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.database import CONNECTION
from models.deliveries import DeliveryTarget
from models.job_events import JobEventPublisher
from models.report_jobs import Priority, ReportFormat, ReportKind
from models.schedule_calendar import period_dates, time_zone
from models.schedules import ReportPeriod, ReportSchedule, ScheduleRun
from workers.new_jobs import JobRequest, announce_job, create_job

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Advance:
    """The tick's claim: run only if the schedule still waits for `seen`, and move it
    on to `following` (None: the expression has no further occurrence)."""

    seen: datetime
    following: datetime | None


def job_request(schedule: ReportSchedule, occurrence: datetime) -> JobRequest:
    """The job a run at `occurrence` makes: the period read in the schedule's zone."""
    period = ReportPeriod(schedule.period) if schedule.period else None
    date_from, date_to = period_dates(period, time_zone(schedule.time_zone), occurrence)
    return JobRequest(
        account_id=schedule.account_id,
        kind=ReportKind(schedule.kind),
        format=ReportFormat(schedule.format),
        priority=Priority(schedule.priority),
        title=schedule.title,
        date_from=date_from,
        date_to=date_to,
        schedule_id=schedule.id,
        deliver_to=tuple(DeliveryTarget.from_json(t) for t in schedule.deliver_to),
    )


async def make_run(
    publisher: JobEventPublisher,
    queue: ArqRedis,
    schedule: ReportSchedule,
    occurrence: datetime,
    advance: Advance | None = None,
) -> ScheduleRun | None:
    """The run for `occurrence` and its job, published and enqueued; None if another
    worker made it first, or (with `advance`) the schedule moved on or was disabled."""
    try:
        async with in_transaction(CONNECTION) as connection:
            claimed = ReportSchedule.filter(id=schedule.id)
            if advance is not None:
                claimed = claimed.filter(enabled=True, next_run_at=advance.seen)
                moved = {"next_run_at": advance.following}
            else:
                moved = {}
            if not await claimed.using_db(connection).update(last_run_at=occurrence, **moved):
                return None
            run = await ScheduleRun.create(
                using_db=connection, schedule_id=schedule.id, scheduled_for=occurrence
            )
            job = await create_job(job_request(schedule, occurrence), using_db=connection)
            run.job_id = job.id
            await run.save(using_db=connection, update_fields=["job_id"])
    except IntegrityError:
        logger.info("schedule %s: the run for %s was made elsewhere", schedule.id, occurrence)
        if advance is not None:
            # Whoever made it moved the schedule on too; if not (a run now at that very
            # instant), move it on here so the tick does not try again.
            await ReportSchedule.filter(id=schedule.id, next_run_at=advance.seen).update(
                next_run_at=advance.following
            )
        return None
    await announce_job(publisher, queue, job)
    logger.info("schedule %s: run for %s made job %s", schedule.id, occurrence, job.id)
    return run
