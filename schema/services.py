"""The API process's shared resources, opened once by the app's lifespan and closed after it."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from arq.connections import ArqRedis

from models.clock import Clock
from models.database import close_database, open_database
from models.job_events import JobEventPublisher
from models.redis_keys import event_hub_client_name
from models.settings import Settings
from schema.auth.revocation import SessionRevocation
from schema.limits.rate_limits import RateLimiter
from schema.live.job_event_hub import JobEventHub
from schema.redis_pool import open_queue
from workers.storage import ReportStorage, open_storage


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    # The API's Redis client: enqueues report jobs, publishes events, counts rate limits.
    queue: ArqRedis
    publisher: JobEventPublisher
    hub: JobEventHub
    rate_limiter: RateLimiter
    revocation: SessionRevocation
    # What schedules read the time from (a test may set it).
    clock: Clock
    # Where report files are (STORAGE_URL): downloads read them, deletes remove them.
    storage: ReportStorage


@contextlib.asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    await open_database(settings.database_url)
    queue = open_queue(settings)
    hub = JobEventHub(
        settings.redis_url,
        settings.channel_prefix,
        client_name=event_hub_client_name(settings.channel_prefix, os.getpid()),
    )
    revocation = SessionRevocation(queue, settings.channel_prefix)
    revocation.listen(hub)
    publisher = JobEventPublisher(queue, settings.channel_prefix)
    await hub.start()
    storage = await open_storage(settings)
    resending = asyncio.create_task(publisher.resend_forever(), name="event-resends")
    try:
        yield Services(
            settings=settings,
            queue=queue,
            publisher=publisher,
            hub=hub,
            rate_limiter=RateLimiter(queue, settings.channel_prefix),
            revocation=revocation,
            clock=Clock(settings),
            storage=storage,
        )
    finally:
        resending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await resending
        await storage.close()
        await hub.stop()
        await revocation.close()
        await queue.aclose()
        await close_database()
