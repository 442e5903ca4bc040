"""No account takes every worker slot: a cap on each account's jobs running at once.

Registration is free and priority the caller's to choose, so one account's
flood of URGENT PDFs filled every slot and another account's one-row report
waited behind all of it (40 s and more). Now an attempt whose account already
has MAX_RUNNING_JOBS_PER_ACCOUNT jobs RUNNING does not start: it stays
PENDING, and is enqueued again when one of that account's jobs ends (or by the
sweep). Enqueued anew, it queues behind what other accounts asked for
meanwhile, so accounts take turns within a priority.

Within a worker, one account's attempts count and start one at a time (a
burst of them would otherwise all count the same free slots). Two workers
starting attempts of one account at the same moment can each pass the cap by
one, briefly.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from uuid import UUID

from arq.connections import ArqRedis
from tortoise.expressions import Q

from models.report_jobs import JobStatus, Priority, ReportJob
from workers.queue import PRIORITY_HEAD_START, enqueue_report

# The oldest waiting jobs looked at to pick the next ones: past a few hundred, the
# sweep brings the rest in time.
WAITING_LOOKED_AT = 200


class SlotTurns:
    """One worker's count-then-start, one at a time per account."""

    def __init__(self) -> None:
        self._locks: dict[UUID, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, account_id: UUID, cap: int) -> AsyncIterator[bool]:
        """Whether the account has a free slot; hold the turn while starting in it."""
        lock = self._locks.setdefault(account_id, asyncio.Lock())
        try:
            async with lock:
                running = await ReportJob.filter(
                    account_id=account_id, status=JobStatus.RUNNING
                ).count()
                yield running < cap
        finally:
            if not lock.locked() and self._locks.get(account_id) is lock:
                del self._locks[account_id]


async def enqueue_waiting(queue: ArqRedis, account_id: UUID, how_many: int) -> None:
    """Enqueue the account's next PENDING jobs (most urgent first, then oldest), now
    that a slot of its own is free; arq ignores those it still holds."""
    waiting = (
        await ReportJob.filter(account_id=account_id, status=JobStatus.PENDING)
        .filter(Q(run_after__isnull=True))
        .order_by("created_at")
        .limit(WAITING_LOOKED_AT)
        .values_list("id", "queued_version", "priority")
    )
    ranked = sorted(waiting, key=lambda row: -PRIORITY_HEAD_START[Priority(row[2])])
    for job_id, queued_version, priority in ranked[:how_many]:
        await enqueue_report(queue, job_id, queued_version, Priority(priority))
