"""Every change to a report job goes through here: conditional, versioned, published.

A transition is one UPDATE guarded by the statuses it may come from (and, for
a worker, by its attempt number), so when a cancel and a worker, or two
workers, race, exactly one wins and the loser gets None and stops quietly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise import connections
from tortoise.expressions import F

from models.database import CONNECTION
from models.job_events import JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.metrics import observe_transition
from models.report_jobs import JobStatus, ReportJob, statuses_leading_to


async def transition_job(
    publisher: JobEventPublisher,
    job_id: UUID | str,
    to: JobStatus,
    *,
    only_from: Iterable[JobStatus] | None = None,
    guard: Mapping[str, Any] | None = None,
    **changes: Any,
) -> JobSnapshot | None:
    """Move a job to `to` if its status (and `guard`) allow it; None if not.

    `only_from` narrows the allowed sources further (e.g. a progress update is
    RUNNING -> RUNNING only); `guard` adds conditions such as `attempts=3`.
    The committed state is published, counted (models/metrics.py), then returned.
    """
    sources = statuses_leading_to(to)
    if only_from is not None:
        sources = sources & frozenset(only_from)
    if not sources:
        raise ValueError(f"no allowed transition to {to} from {only_from}")
    if to.is_terminal and to in sources and len(sources) > 1:
        # Whether the job finished now or was finished already decides whether its
        # outcome is counted; the row this returns cannot tell which.
        raise ValueError(f"a transition to {to} either finishes a job or changes a finished one")
    # Shielded: a caller cancelled mid-way (an aborted task, a shutdown) must not
    # leave a transaction half done or a committed change unpublished.
    return await asyncio.shield(_apply(publisher, job_id, to, sources, guard or {}, changes))


async def _apply(
    publisher: JobEventPublisher,
    job_id: UUID | str,
    to: JobStatus,
    sources: frozenset[JobStatus],
    guard: Mapping[str, Any],
    changes: dict[str, Any],
) -> JobSnapshot | None:
    if to is JobStatus.PENDING:
        # A new attempt gets a new arq id, derived from the version it starts at
        # (SQL evaluates the right-hand side with the old version).
        changes["queued_version"] = F("version") + 1
        # No run holds a waiting job: whatever starts it next names itself, or, a
        # worker of an older release, nothing that could be mistaken for a dead run.
        changes["worker_id"] = None
    update = ReportJob.filter(id=job_id, status__in=list(sources), **guard).update(
        status=to, version=F("version") + 1, updated_at=datetime.now(UTC), **changes
    )
    # One statement, one round trip: RETURNING gives exactly the row this UPDATE
    # wrote (PostgreSQL, and SQLite since 3.35), so no transaction and no read-back.
    # Tortoise has no UPDATE ... RETURNING: sql() builds its UPDATE, whose values only
    # its query builder hands out (UPGRADING.md).
    update.sql()
    statement, values = update.query.get_parameterized_sql()
    rows = await connections.get(CONNECTION).execute_query_dict(f"{statement} RETURNING *", values)
    if not rows:
        return None
    # The row's columns are the model's field names; the constructor converts each value.
    snapshot = JobSnapshot.from_model(ReportJob(**rows[0]))
    await publisher.publish(snapshot)
    observe_transition(snapshot, arrived=to not in sources)
    return snapshot
