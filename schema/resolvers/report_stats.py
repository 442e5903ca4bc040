"""The operational view: counts, queue depth, durations, live workers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import strawberry
from tortoise.functions import Count

from models.job_counts import jobs_running, queue_depth
from models.report_jobs import JobStatus, Priority, ReportJob
from models.worker_heartbeats import count_live_workers
from schema.context import AppInfo, current_account
from schema.types.report_stats import PriorityCount, ReportStats, StatusCount

DURATION_WINDOW = timedelta(hours=1)
# Durations are computed from at most this many recent jobs.
DURATION_SAMPLE = 10_000


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@strawberry.type
class ReportStatsQuery:
    @strawberry.field
    async def report_stats(self, info: AppInfo) -> ReportStats:
        account_id = current_account(info)
        services = info.context.services
        now = datetime.now(UTC)
        by_status = dict(
            await ReportJob.filter(account_id=account_id)
            .annotate(count=Count("id"))
            .group_by("status")
            .values_list("status", "count")
        )
        waiting = await queue_depth(now)
        delayed = dict(
            await ReportJob.filter(status=JobStatus.PENDING, run_after__gt=now)
            .annotate(count=Count("id"))
            .group_by("priority")
            .values_list("priority", "count")
        )
        finished = await (
            ReportJob.filter(
                account_id=account_id,
                status=JobStatus.COMPLETED,
                finished_at__gte=now - DURATION_WINDOW,
                started_at__isnull=False,
            )
            .order_by("-finished_at")
            .limit(DURATION_SAMPLE)
            .values_list("started_at", "finished_at")
        )
        durations = sorted((end - start).total_seconds() for start, end in finished)
        settings = services.settings
        workers = await count_live_workers(
            settings.worker_heartbeat_timeout_seconds, settings.queue_name
        )
        return ReportStats(
            jobs_by_status=[StatusCount(status=s, count=by_status.get(s, 0)) for s in JobStatus],
            queue_depth=[PriorityCount(priority=p, count=waiting[p]) for p in Priority],
            delayed_depth=[PriorityCount(priority=p, count=delayed.get(p, 0)) for p in Priority],
            jobs_running=await jobs_running(),
            completed_last_hour=len(durations),
            mean_duration_seconds=sum(durations) / len(durations) if durations else None,
            p95_duration_seconds=percentile(durations, 0.95) if durations else None,
            workers_alive=workers,
        )
