"""GraphQL types of reportStats: the account's jobs counted by status and by priority."""

from __future__ import annotations

import strawberry

from schema.types.enums import JobStatus, Priority


@strawberry.type
class StatusCount:
    status: JobStatus
    count: int


@strawberry.type
class PriorityCount:
    priority: Priority
    count: int


@strawberry.type(
    description="How the service is doing. Job counts and durations are about your own "
    "jobs; queue, running and worker figures are about the whole service."
)
class ReportStats:
    jobs_by_status: list[StatusCount] = strawberry.field(description="Your jobs, by status.")
    queue_depth: list[PriorityCount] = strawberry.field(
        description="Jobs due and waiting to start, by priority (whole service)."
    )
    delayed_depth: list[PriorityCount] = strawberry.field(
        description="Jobs PENDING until a later time (their runAt, or a retry's backoff), "
        "by priority (whole service); not counted in queueDepth."
    )
    jobs_running: int = strawberry.field(description="Jobs running now (whole service).")
    completed_last_hour: int = strawberry.field(description="Your jobs completed in the last hour.")
    mean_duration_seconds: float | None = strawberry.field(
        description="Mean start-to-finish time of your jobs completed in the last hour."
    )
    p95_duration_seconds: float | None = strawberry.field(
        description="95th percentile of the same durations."
    )
    workers_alive: int | None = strawberry.field(
        description="Workers of this queue that sent a heartbeat within the last few seconds."
    )
