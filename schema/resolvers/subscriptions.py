"""Live job status: the current state first, then every change, in order, no repeats.

What fails inside a stream is coded by the schema's ErrorPolicy as its result leaves.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import strawberry

from models.job_snapshots import JobSnapshot
from models.report_jobs import ReportJob as ReportJobModel
from schema.context import AppInfo, current_account
from schema.errors import not_found
from schema.live.job_event_hub import Resync
from schema.resolvers.report_jobs import owned_job
from schema.types.enums import JobStatus
from schema.types.report_jobs import ReportJob

# How far back a resynchronising subscriber looks for changes it may have
# missed, before the newest change it saw (allows for clock skew between writers).
RESYNC_MARGIN = timedelta(seconds=5)
# Versions remembered per reportJobs stream to drop repeats; older ones are pruned.
MAX_REMEMBERED_JOBS = 10_000


async def _current(job_id: UUID) -> JobSnapshot | None:
    job = await ReportJobModel.get_or_none(id=job_id)
    return JobSnapshot.from_model(job) if job else None


class _RepeatFilter:
    """Which changes a reportJobs stream has already sent, and since when to catch up."""

    def __init__(self) -> None:
        self.horizon = datetime.now(UTC)
        self._versions: dict[UUID, tuple[int, datetime]] = {}

    def is_new(self, snapshot: JobSnapshot) -> bool:
        known = self._versions.get(snapshot.id)
        if known is not None and snapshot.version <= known[0]:
            return False
        self._versions[snapshot.id] = (snapshot.version, snapshot.updated_at)
        self.horizon = max(self.horizon, snapshot.updated_at)
        if len(self._versions) > MAX_REMEMBERED_JOBS:
            oldest_needed = self.horizon - RESYNC_MARGIN
            self._versions = {
                job_id: seen for job_id, seen in self._versions.items() if seen[1] >= oldest_needed
            }
        return True


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The job's current state, then every change; ends after a terminal "
        "state, once its deliveries are sent or have failed."
    )
    async def report_job(self, info: AppInfo, id: strawberry.ID) -> AsyncGenerator[ReportJob, None]:
        account_id = current_account(info)
        job = await owned_job(account_id, id)
        if job is None:
            raise not_found("Report job")
        # Listen first, then read: a change committed in between is not missed.
        async with info.context.services.hub.listen(account_id) as listener:
            current = await _current(job.id)
            if current is None:
                return
            yield ReportJob.from_snapshot(current)
            while not current.is_settled:
                item = await listener.next()
                if isinstance(item, Resync):
                    reloaded = await _current(job.id)
                    if reloaded is None:
                        return
                    item = reloaded
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
        wanted = frozenset(status) if status else None
        repeats = _RepeatFilter()
        async with info.context.services.hub.listen(account_id) as listener:
            while True:
                item = await listener.next()
                if isinstance(item, Resync):
                    changed = await ReportJobModel.filter(
                        account_id=account_id, updated_at__gte=repeats.horizon - RESYNC_MARGIN
                    ).order_by("updated_at")
                    batch = [JobSnapshot.from_model(job) for job in changed]
                else:
                    batch = [item]
                for snapshot in batch:
                    if repeats.is_new(snapshot) and (wanted is None or snapshot.status in wanted):
                        yield ReportJob.from_snapshot(snapshot)
