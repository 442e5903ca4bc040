"""Live job status: the current state first, then every change, in order, no repeats."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta

import strawberry

from models.job_snapshots import JobSnapshot
from models.report_jobs import ReportJob as ReportJobModel
from schema.context import AppInfo, current_account
from schema.errors import not_found
from schema.job_event_hub import Resync
from schema.report_jobs import owned_job
from schema.types.enums import JobStatus
from schema.types.report_jobs import ReportJob

# How far back a resynchronising subscriber looks for changes it may have
# missed, beyond the last change it saw (allows for clock skew between writers).
RESYNC_MARGIN = timedelta(seconds=5)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The job's current state, then every change; ends after a terminal state."
    )
    async def report_job(self, info: AppInfo, id: strawberry.ID) -> AsyncGenerator[ReportJob, None]:
        account_id = current_account(info)
        job = await owned_job(account_id, id)
        if job is None:
            raise not_found("Report job")
        # Listen first, then read: a change committed in between is not missed.
        async with info.context.services.hub.listen(account_id) as listener:
            current = JobSnapshot.from_model(await ReportJobModel.get(id=job.id))
            yield ReportJob.from_snapshot(current)
            while not current.is_terminal:
                item = await listener.next()
                if isinstance(item, Resync):
                    item = JobSnapshot.from_model(await ReportJobModel.get(id=job.id))
                if item.id != current.id or item.version <= current.version:
                    continue
                current = item
                yield ReportJob.from_snapshot(current)

    @strawberry.subscription(
        description="Every change to any of your jobs, optionally only those reaching the "
        "given statuses."
    )
    async def report_jobs(
        self, info: AppInfo, status: list[JobStatus] | None = None
    ) -> AsyncGenerator[ReportJob, None]:
        account_id = current_account(info)
        wanted = frozenset(JobStatus(s) for s in status) if status else None
        seen: dict[object, int] = {}
        last_change = datetime.now(UTC)
        async with info.context.services.hub.listen(account_id) as listener:
            while True:
                item = await listener.next()
                if isinstance(item, Resync):
                    changed = await ReportJobModel.filter(
                        account_id=account_id, updated_at__gte=last_change - RESYNC_MARGIN
                    ).order_by("updated_at")
                    batch = [JobSnapshot.from_model(job) for job in changed]
                else:
                    batch = [item]
                for snapshot in batch:
                    if snapshot.version <= seen.get(snapshot.id, 0):
                        continue
                    seen[snapshot.id] = snapshot.version
                    last_change = max(last_change, datetime.now(UTC))
                    if wanted is None or snapshot.status in wanted:
                        yield ReportJob.from_snapshot(snapshot)
