"""The one seam between this service and arq (in maintenance mode: public API only).

The API enqueues through here and the worker consumes what it enqueues, so
the task name, job ids and priority scoring are defined once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from uuid import UUID

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from redis.exceptions import RedisError

from models.report_jobs import Priority
from models.settings import Settings

logger = logging.getLogger(__name__)

GENERATE_REPORT_TASK = "generate_report"

# arq's queue is a sorted set scored by the time a job may run, and workers take
# the lowest score first: scoring a job as if enqueued earlier puts it ahead of
# the backlog of lower priorities without a second queue.
PRIORITY_HEAD_START: dict[Priority, timedelta] = {
    Priority.LOW: timedelta(0),
    Priority.NORMAL: timedelta(hours=1),
    Priority.HIGH: timedelta(hours=2),
    Priority.URGENT: timedelta(hours=3),
}


def redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url)


async def open_queue(settings: Settings) -> ArqRedis:
    """A connection pool for enqueueing; also usable as a plain Redis client."""
    return await create_pool(
        redis_settings(settings), default_queue_name=settings.queue_name, retry=0
    )


def attempt_job_id(job_id: UUID | str, version: int) -> str:
    """arq's id for one attempt: a job that becomes PENDING again gets a new one.

    arq ignores an enqueue under an id it still holds (it keeps results for an
    hour), so a repeat of the same attempt is a no-op and a new attempt is not.
    """
    return f"{GENERATE_REPORT_TASK}:{job_id}:v{version}"


async def enqueue_report(
    queue: ArqRedis, job_id: UUID | str, version: int, priority: Priority
) -> bool:
    """Enqueue one attempt of a report job; False if Redis could not take it.

    A job left PENDING because of this is not lost: the row is committed first.
    """
    defer_until = datetime.now(UTC) - PRIORITY_HEAD_START[priority]
    try:
        await queue.enqueue_job(
            GENERATE_REPORT_TASK,
            str(job_id),
            _job_id=attempt_job_id(job_id, version),
            _defer_until=defer_until,
        )
    except (RedisError, OSError):
        logger.warning("job %s: enqueue failed; it stays PENDING", job_id, exc_info=True)
        return False
    return True
