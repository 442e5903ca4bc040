"""Service-wide job counts (every account's): what the queue holds and what runs.

Read by `reportStats` and by each scrape of /metrics, so both say the same. Each
is one count over the (status, run_after) index.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q
from tortoise.functions import Count

from models.report_jobs import JobStatus, Priority, ReportJob


async def queue_depth(now: datetime) -> dict[Priority, int]:
    """PENDING jobs due by `now` (not waiting for their runAt or a retry's backoff), by
    priority; every priority present."""
    waiting = dict(
        await ReportJob.filter(status=JobStatus.PENDING)
        .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
        .annotate(count=Count("id"))
        .group_by("priority")
        .values_list("priority", "count")
    )
    return {priority: waiting.get(priority, 0) for priority in Priority}


async def jobs_running() -> int:
    """RUNNING jobs, every worker's."""
    return await ReportJob.filter(status=JobStatus.RUNNING).count()
