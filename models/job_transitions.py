"""Every change to a report job goes through here: conditional, versioned, published.

A transition is one UPDATE guarded by the statuses it may come from, so when a
cancel and a worker (or two workers) race, exactly one wins and the loser gets
None and stops quietly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import F

from models.job_events import JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.report_jobs import JobStatus, ReportJob, statuses_leading_to


async def transition_job(
    publisher: JobEventPublisher,
    job_id: UUID | str,
    to: JobStatus,
    *,
    only_from: Iterable[JobStatus] | None = None,
    **changes: Any,
) -> JobSnapshot | None:
    """Move a job to `to` if its current status allows it; None if it did not.

    `only_from` narrows the allowed sources further (e.g. a progress update is
    RUNNING -> RUNNING only). The committed state is published, then returned.
    """
    sources = statuses_leading_to(to)
    if only_from is not None:
        sources = sources & frozenset(only_from)
    if not sources:
        raise ValueError(f"no allowed transition to {to} from {only_from}")
    updated = await ReportJob.filter(id=job_id, status__in=list(sources)).update(
        status=to, version=F("version") + 1, updated_at=datetime.now(UTC), **changes
    )
    if not updated:
        return None
    job = await ReportJob.get(id=job_id)
    snapshot = JobSnapshot.from_model(job)
    await publisher.publish(snapshot)
    return snapshot
