"""The one seam between this service and arq (in maintenance mode: public API only).

The API enqueues through here and the worker consumes what it enqueues, so
the task name, job ids and priority scoring are defined once.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from arq.connections import ArqRedis, RedisSettings
from arq.jobs import Job
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from models.report_jobs import Priority
from models.settings import Settings
from workers.wakeup import announce_enqueued

logger = logging.getLogger(__name__)

GENERATE_REPORT_TASK = "generate_report"
# Redis calls from the API give up quickly: a request makes up to three of them
# (rate limit, event, enqueue) and must answer within 2 s even if Redis hangs.
REDIS_TIMEOUT_SECONDS = 0.3
# The API's commands share a small, fixed set of connections (with the event hub's
# one, three in all), however many requests and subscriptions it serves: each
# command holds a connection for a loopback round trip, so two keep up with
# thousands of commands a second. A request waits this long for one to free up:
# long enough to ride out a storm of connecting WebSockets (when a busy event loop
# is slow to hand connections back), short enough that a request still answers.
API_REDIS_CONNECTIONS = 2
API_REDIS_CONNECTION_WAIT_SECONDS = 3.0
# After a call finds Redis not answering (or not there), the API's next calls fail
# at once for this long, rather than queue behind connections that are each stuck
# in their own timeout: a hung Redis must not make every request wait seconds.
API_REDIS_BACKOFF_SECONDS = 1.0


class FailFastPool(BlockingConnectionPool):
    """The API's few Redis connections, and no queue behind a Redis that stopped answering."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._failing_until = 0.0

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        self._fail_fast()
        return await super().get_connection(*args, **kwargs)

    async def ensure_connection(self, connection: Any) -> None:
        # Also for a call that waited its turn while Redis stopped answering: it
        # would otherwise spend its own timeout reconnecting.
        self._fail_fast()
        await super().ensure_connection(connection)

    async def release(self, connection: Any) -> None:
        # redis-py drops a connection whose command timed out or lost its server.
        # Calls failed fast do not prolong the pause: the first call after it
        # tries Redis again.
        if not connection.is_connected and not self._failing():
            self._failing_until = time.monotonic() + API_REDIS_BACKOFF_SECONDS
        await super().release(connection)

    def _failing(self) -> bool:
        return time.monotonic() < self._failing_until

    def _fail_fast(self) -> None:
        if self._failing():
            raise RedisConnectionError("Redis did not answer a moment ago")


# arq's queue is a sorted set scored by the time a job may run, and workers take
# the lowest score first: scoring a job as if enqueued earlier puts it ahead of
# the backlog of lower priorities without a second queue. The head starts are
# far longer than any backlog waits, so a class is never overtaken by a lower one.
PRIORITY_HEAD_START: dict[Priority, timedelta] = {
    Priority.LOW: timedelta(0),
    Priority.NORMAL: timedelta(days=10),
    Priority.HIGH: timedelta(days=20),
    Priority.URGENT: timedelta(days=30),
}
# arq derives a job's expiry from its score unless told; a job not started by
# then is dropped from Redis (the sweep enqueues it again: the row is PENDING).
QUEUED_JOB_EXPIRY = timedelta(days=2)


def redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url)


def open_queue(settings: Settings) -> ArqRedis:
    """A client for enqueueing (and publishing) that connects lazily.

    Unlike arq's create_pool it does not need Redis to be up: the API starts,
    and keeps answering, during a Redis outage.
    """
    pool = FailFastPool.from_url(
        settings.redis_url,
        max_connections=API_REDIS_CONNECTIONS,
        timeout=API_REDIS_CONNECTION_WAIT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    return ArqRedis(pool, default_queue_name=settings.queue_name)


def attempt_job_id(job_id: UUID | str, queued_version: int) -> str:
    """arq's id for one attempt: a job that becomes PENDING again gets a new one.

    arq ignores an enqueue under an id it still holds (it keeps results for an
    hour), so a repeat of the same attempt is a no-op and a new attempt is not.
    """
    return f"{GENERATE_REPORT_TASK}:{job_id}:v{queued_version}"


async def enqueue_report(
    queue: ArqRedis, job_id: UUID | str, queued_version: int, priority: Priority
) -> bool:
    """Enqueue one attempt of a report job, to start now; False if Redis could not take it.

    A job left PENDING because of this is not lost: the row is committed first,
    and the workers' sweep enqueues it again once Redis is back. (A retry that
    must wait is enqueued by the sweep when it is due, keeping its priority.)
    """
    try:
        await queue.enqueue_job(
            GENERATE_REPORT_TASK,
            str(job_id),
            queued_version,
            _job_id=attempt_job_id(job_id, queued_version),
            _defer_until=datetime.now(UTC) - PRIORITY_HEAD_START[priority],
            _expires=QUEUED_JOB_EXPIRY,
        )
    except (RedisError, OSError) as exc:
        logger.warning("job %s: enqueue failed (%s); it stays PENDING", job_id, exc)
        return False
    await announce_enqueued(queue, queue.default_queue_name)
    return True


async def abort_attempt(queue: ArqRedis, job_id: UUID | str, queued_version: int) -> None:
    """Ask the worker running this attempt to stop it now; best effort."""
    job = Job(attempt_job_id(job_id, queued_version), queue)
    # abort() then waits for the result; we do not, the job row already says
    # CANCELLED. Whatever arq answers (no result, a stored failure) changes nothing.
    try:
        await job.abort(timeout=0, poll_delay=0.01)
    except Exception as exc:
        logger.debug("job %s: abort of v%s: %r", job_id, queued_version, exc)
