"""The one seam between this service and arq (in maintenance mode: public API only).

The API enqueues through here and the worker consumes what it enqueues, so
the task name, job ids and priority scoring are defined once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from arq.connections import ArqRedis, RedisSettings
from arq.jobs import Job
from redis.exceptions import RedisError

from models.redis_keys import arq_in_progress_key, wakeup_channel
from models.report_jobs import Priority
from models.settings import Settings

logger = logging.getLogger(__name__)

GENERATE_REPORT_TASK = "generate_report"
DELIVER_REPORT_TASK = "deliver_report"
SEND_SIGN_UP_EMAIL_TASK = "send_sign_up_email"
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


async def announce_enqueued(queue: ArqRedis) -> None:
    """Wake the workers of the queue (workers/wakeup.py); best effort, as they poll anyway."""
    try:
        await queue.publish(wakeup_channel(queue.default_queue_name), b"")
    except (RedisError, OSError) as exc:
        logger.debug("wake-up of %s not sent: %r", queue.default_queue_name, exc)


def attempt_job_id(job_id: UUID | str, queued_version: int) -> str:
    """arq's id for one attempt: a job that becomes PENDING again gets a new one.

    arq ignores an enqueue under an id it still holds (it keeps results for an
    hour), so a repeat of the same attempt is a no-op and a new attempt is not.
    """
    return f"{GENERATE_REPORT_TASK}:{job_id}:v{queued_version}"


# Every attempt's id, as a Redis key pattern (after arq's own key prefix).
ATTEMPT_JOB_ID_PATTERN = f"{GENERATE_REPORT_TASK}:*:v*"


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
    await announce_enqueued(queue)
    return True


async def release_untaken_attempts(
    queue: ArqRedis, attempts: Sequence[tuple[UUID | str, int]]
) -> int:
    """Let arq hand these attempts out again; how many a worker held.

    For attempts whose job has been PENDING for a while: a worker that took one from
    the queue starts it within milliseconds, so one still held was taken by a worker
    that died before starting it, and arq would keep it from every other worker for
    the whole job timeout. Were that worker alive after all, the job's start is
    guarded by its version: only one attempt starts.
    """
    if not attempts:
        return 0
    keys = [arq_in_progress_key(attempt_job_id(job_id, version)) for job_id, version in attempts]
    try:
        return int(await queue.delete(*keys))
    except (RedisError, OSError) as exc:
        logger.warning("could not release attempts taken by lost workers (%s)", exc)
        return 0


async def abort_attempt(queue: ArqRedis, job_id: UUID | str, queued_version: int) -> None:
    """Ask the worker running this attempt to stop it now; best effort."""
    job = Job(attempt_job_id(job_id, queued_version), queue)
    # abort() then waits for the result; we do not, the job row already says
    # CANCELLED. Whatever arq answers (no result, a stored failure) changes nothing.
    try:
        await job.abort(timeout=0, poll_delay=0.01)
    except Exception as exc:
        logger.debug("job %s: abort of v%s: %r", job_id, queued_version, exc)


async def enqueue_delivery(queue: ArqRedis, job_id: UUID | str, due_at: datetime) -> bool:
    """Enqueue the sending of a finished job's deliveries that are due at `due_at`; False
    if Redis could not take it (the sweep enqueues it: the row says it is due).

    One arq job per due moment, so the sweeps and the finishing worker enqueueing the
    same one make one task; a later due moment (a retry) is a new one.
    """
    try:
        await queue.enqueue_job(
            DELIVER_REPORT_TASK,
            str(job_id),
            _job_id=f"{DELIVER_REPORT_TASK}:{job_id}:{due_at.timestamp():.6f}",
            # Ahead of every report attempt: sending is quick, and a reader is waiting.
            _defer_until=datetime.now(UTC) - PRIORITY_HEAD_START[Priority.URGENT],
            _expires=QUEUED_JOB_EXPIRY,
        )
    except (RedisError, OSError) as exc:
        logger.warning("job %s: delivery not enqueued (%s); the sweep will", job_id, exc)
        return False
    await announce_enqueued(queue)
    return True


async def enqueue_sign_up_email(queue: ArqRedis, account_id: UUID) -> None:
    """Have a worker mail a new sign-up; best effort (the sweep mails what is left)."""
    try:
        await queue.enqueue_job(
            SEND_SIGN_UP_EMAIL_TASK,
            str(account_id),
            _job_id=f"{SEND_SIGN_UP_EMAIL_TASK}:{account_id}",
            _defer_until=datetime.now(UTC) - PRIORITY_HEAD_START[Priority.URGENT],
            _expires=QUEUED_JOB_EXPIRY,
        )
    except (RedisError, OSError) as exc:
        logger.warning(
            "account %s: sign-up email not enqueued (%s); the sweep will", account_id, exc
        )
        return
    await announce_enqueued(queue)
