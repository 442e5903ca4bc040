"""The outbox: a finished job's deliveries, sent at least once and recorded.

A job reaching COMPLETED or FAILED with deliveries gets `delivery_due_at` in the
same transition (workers/attempt.py), so what must be sent is committed before
anything is tried; the worker that finished it enqueues this task, and every
worker's sweep enqueues it again if that was lost (Redis down, a crash).

The task claims the job's deliveries by moving `delivery_due_at` to a lease in
the future, guarded by the value it read: two workers never send at once, and if
this one dies mid-send the lease lapses and a sweep starts another, which sends
what is not yet recorded SENT (so a receiver may see a send twice, never lose
one). Each try is recorded as a job change, versioned and published, so the
reportJob and reportJobs subscriptions show deliveries live. A record SENT or
FAILED is never tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from models.deliveries import DeliveryChannel, DeliveryRecord, next_due, records_of
from models.failures import is_storage_failure
from models.job_events import JobEventPublisher
from models.job_transitions import transition_job
from models.log_context import set_job
from models.metrics import observe_delivery_try
from models.report_jobs import JobStatus, ReportJob
from models.settings import Settings
from workers.context import WorkerContext
from workers.delivery.email_sender import send_email
from workers.delivery.errors import DeliveryError
from workers.delivery.report_messages import attachable, report_email, webhook_body
from workers.delivery.webhook_secrets import webhook_secret_of
from workers.delivery.webhook_sender import send_webhook
from workers.queue import enqueue_delivery

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 300.0
# A receiver's Retry-After is honoured up to this.
MAX_RETRY_AFTER_SECONDS = 3600.0
UNEXPECTED_SEND_ERROR = "Internal error while sending; it will be tried again."
UNREADABLE_FILE_ERROR = "The report's file could not be read; it will be tried again."
# A job may have MAX_DELIVERY_TARGETS deliveries, each an SMTP send (30 s per step)
# or a webhook (WEBHOOK_TIMEOUT_SECONDS): arq stops a task that hangs past this.
DELIVERY_TASK_TIMEOUT_SECONDS = 1800
# Jobs whose deliveries one sweep enqueues.
SWEEP_BATCH = 200


class DeliveryClaim:
    """This worker's hold on a job's deliveries: `delivery_due_at` set to a lease in the
    future, renewed while sending (a send may take longer than a lease), and every
    write guarded by the lease it last wrote. Lost when the job changes hands."""

    def __init__(self, job_id: UUID, lease_seconds: float) -> None:
        self.job_id = job_id
        self._lease = timedelta(seconds=lease_seconds)
        self._until: datetime | None = None
        self._writing = asyncio.Lock()

    async def take(self, seen: datetime) -> bool:
        until = datetime.now(UTC) + self._lease
        taken = await ReportJob.filter(id=self.job_id, delivery_due_at=seen).update(
            delivery_due_at=until
        )
        self._until = until if taken else None
        return bool(taken)

    @property
    def held(self) -> bool:
        return self._until is not None

    async def record(
        self, publisher: JobEventPublisher, status: JobStatus, records: list[DeliveryRecord]
    ) -> bool:
        """Save the records as a job change (versioned, published); False if the claim is lost."""
        async with self._writing:
            if self._until is None:
                # Lost: a guard on None would match a row another worker released.
                return False
            until = datetime.now(UTC) + self._lease
            recorded = await transition_job(
                publisher,
                self.job_id,
                status,
                only_from={status},
                guard={"delivery_due_at": self._until},
                deliveries=[r.to_json() for r in records],
                delivery_due_at=until,
            )
            self._until = until if recorded is not None else None
            return recorded is not None

    async def release(self, due: datetime | None) -> None:
        """Let go, leaving the deliveries due at `due` (None: nothing more to send)."""
        async with self._writing:
            if self._until is not None:
                await ReportJob.filter(id=self.job_id, delivery_due_at=self._until).update(
                    delivery_due_at=due
                )
                self._until = None

    @contextlib.asynccontextmanager
    async def renewed(self) -> AsyncIterator[None]:
        renewing = asyncio.create_task(self._renew(), name=f"delivery-lease:{self.job_id}")
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew(self) -> None:
        while self._until is not None:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            async with self._writing:
                if self._until is None:
                    return
                until = datetime.now(UTC) + self._lease
                try:
                    renewed = await ReportJob.filter(
                        id=self.job_id, delivery_due_at=self._until
                    ).update(delivery_due_at=until)
                except Exception:
                    # The database away for a moment: try again before the lease lapses.
                    logger.warning("job %s: delivery lease not renewed", self.job_id, exc_info=True)
                    continue
                self._until = until if renewed else None


def retry_delay(attempts: int, base: float, asked: float | None) -> float:
    """Exponential backoff with equal jitter (half the step fixed, half random, so a
    receiver down for a while is not tried again at once), at least what the
    receiver asked for."""
    step: float = min(MAX_RETRY_DELAY_SECONDS, base * 2.0 ** (attempts - 1))
    backoff = step / 2 + random.uniform(0, step / 2)
    return max(backoff, min(asked, MAX_RETRY_AFTER_SECONDS) if asked else 0.0)


async def deliver_report(ctx: dict[str, Any], job_id: str) -> str:
    """Send the job's due deliveries; returns what happened, for arq's log."""
    worker = WorkerContext.of(ctx)
    job = await ReportJob.get_or_none(id=job_id)
    if job is None or job.delivery_due_at is None or job.delivery_due_at > datetime.now(UTC):
        return "nothing due"
    # Every line from here names the job, and the attempt whose outcome is delivered.
    set_job(job.id, job.account_id, job.attempts)
    claim = DeliveryClaim(job.id, worker.settings.lease_seconds)
    if not await claim.take(job.delivery_due_at):
        return "claimed elsewhere"
    status = JobStatus(job.status)
    records = records_of(job.deliveries)
    try:
        async with claim.renewed():
            for index, record in enumerate(records):
                if not record.is_due(datetime.now(UTC)):
                    continue
                if not claim.held:
                    logger.info("job %s: deliveries left this worker", job.id)
                    return "taken over"
                records[index] = await _try(worker, job, index, record)
                observe_delivery_try(record.channel, records[index].status)
                if not await claim.record(worker.publisher, status, records):
                    # Retried, deleted, or its lease lapsed and another worker took over.
                    logger.info("job %s: deliveries left this worker", job.id)
                    return "taken over"
    except asyncio.CancelledError:
        # The worker is stopping: another takes over at once, not when the lease lapses.
        await asyncio.shield(claim.release(datetime.now(UTC)))
        raise
    following = next_due(records, datetime.now(UTC))
    await claim.release(following)
    if following is not None:
        # A retry is due later: the sweep enqueues it then.
        logger.info("job %s: deliveries to retry from %s", job.id, following.isoformat())
    return "delivered"


async def _try(
    worker: WorkerContext, job: ReportJob, index: int, record: DeliveryRecord
) -> DeliveryRecord:
    """One try of one delivery: the record after it."""
    try:
        where = await _send(worker, job, index, record)
    except DeliveryError as exc:
        return _failed(worker.settings, job, index, record, exc)
    except FileNotFoundError:
        # Its retention ran out (or it was deleted) while the delivery waited.
        gone = DeliveryError("The report's file is no longer kept.", permanent=True)
        return _failed(worker.settings, job, index, record, gone)
    except Exception:
        logger.exception("job %s: %s delivery %s: unexpected error", job.id, record.channel, index)
        return _failed(worker.settings, job, index, record, DeliveryError(UNEXPECTED_SEND_ERROR))
    logger.info("job %s: %s delivery %s sent to %s", job.id, record.channel.value, index, where)
    return record.sent(datetime.now(UTC))


async def _send(worker: WorkerContext, job: ReportJob, index: int, record: DeliveryRecord) -> str:
    """Send it; where it went, for the log (a webhook's URL without its query, which may
    hold the receiver's token)."""
    settings = worker.settings
    now = datetime.now(UTC)
    # The same id for every try of this delivery of this outcome: receivers use it
    # to drop a copy they already handled.
    message_id = f"msg_{job.id.hex}_{index}_v{job.queued_version}"
    if record.channel is DeliveryChannel.EMAIL:
        key = attachable(settings, job)
        content = None
        if key is not None:
            content = await _attachment(worker, key)
        email = report_email(settings, job, record.target, f"<{message_id}@reports>", now, content)
        return await send_email(settings, email)
    await send_webhook(
        worker.http,
        url=record.target,
        secret=await webhook_secret_of(job.account_id),
        message_id=message_id,
        body=webhook_body(settings, job, now),
        timeout=settings.webhook_timeout_seconds,
        development=settings.is_development,
        allowed_hosts=settings.webhook_allowed_hosts,
    )
    parts = urlsplit(record.target)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


async def _attachment(worker: WorkerContext, key: str) -> bytes:
    """The report's bytes; storage being away is a fault of ours, tried again later."""
    try:
        return await worker.storage.read(key, worker.settings.email_attachment_max_bytes)
    except FileNotFoundError:
        raise
    except Exception as exc:
        if not is_storage_failure(exc):
            raise
        raise DeliveryError(UNREADABLE_FILE_ERROR) from exc


def _failed(
    settings: Settings, job: ReportJob, index: int, record: DeliveryRecord, exc: DeliveryError
) -> DeliveryRecord:
    attempts = record.attempts + 1
    final = exc.permanent or attempts >= settings.delivery_max_attempts
    logger.warning(
        "job %s: %s delivery %s failed (try %s%s): %s",
        job.id,
        record.channel.value,
        index,
        attempts,
        ", giving up" if final else "",
        exc.reason,
    )
    retry_at = None
    if not final:
        delay = retry_delay(attempts, settings.delivery_retry_base_seconds, exc.retry_after)
        retry_at = datetime.now(UTC) + timedelta(seconds=delay)
    return record.failed(exc.reason, retry_at=retry_at)


async def enqueue_due_deliveries(worker: WorkerContext) -> None:
    """The sweep's part: deliveries due (a retry's time has come, a lease lapsed, or the
    finishing worker could not enqueue them)."""
    due = (
        await ReportJob.filter(delivery_due_at__lte=datetime.now(UTC))
        .order_by("delivery_due_at")
        .limit(SWEEP_BATCH)
        .values_list("id", "delivery_due_at")
    )
    for job_id, due_at in due:
        await enqueue_delivery(worker.queue, job_id, due_at)
