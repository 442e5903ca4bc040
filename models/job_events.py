"""Job change events: the publisher.

PostgreSQL is the truth and Redis carries news: an event is published only
after the change it describes is committed, so a lost event costs latency,
never data. Subscribers re-read the database when the API's event connection
comes back, but a publish can fail while that connection stays up (Redis hung
for a moment, or unreachable from this process only); so an event Redis did
not take is sent again once it answers, or a stream waiting for its job's last
change would wait for ever.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.job_snapshots import JobSnapshot
from models.metrics import job_events_published_total
from models.redis_keys import account_channel

logger = logging.getLogger(__name__)

# How often events Redis did not take are tried again.
RESEND_INTERVAL_SECONDS = 1.0
# Jobs whose latest event waits to be sent again, at most; past it the oldest is
# dropped (its subscribers see the job's next change, or catch up on a reconnect).
MAX_UNSENT_JOBS = 10_000


class JobEventPublisher:
    """Publishes committed job changes; a Redis failure is logged, never raised.

    Of a job whose event could not be sent, the latest is kept, and one task
    (`resend_forever`) sends what is kept again, oldest first; subscribers drop
    versions they have seen, so a late event is harmless. While events are kept,
    new ones join them rather than try Redis themselves: a request or a job pays
    for at most one failed call per outage, and nothing is sent twice at once.
    """

    def __init__(self, redis: Redis, channel_prefix: str, kept: Iterable[JobSnapshot] = ()) -> None:
        """`kept`: what an earlier publisher of this process could not send (see `kept`)."""
        self._redis = redis
        self._channel_prefix = channel_prefix
        self._unsent: OrderedDict[UUID, JobSnapshot] = OrderedDict()
        self._kept = asyncio.Event()
        # Logged once per outage, not once per event.
        self._failing = False
        for snapshot in kept:
            self._keep(snapshot)

    def kept(self) -> list[JobSnapshot]:
        """The events Redis has not taken yet, oldest first, for a publisher that takes
        over from this one (a worker's next run after it lost Redis)."""
        return list(self._unsent.values())

    async def publish(self, snapshot: JobSnapshot) -> None:
        if self._unsent or not await self._send(snapshot):
            self._keep(snapshot)

    async def resend_forever(self) -> None:
        """Run for the process's life: send again what Redis did not take, once it answers."""
        while True:
            await self._kept.wait()
            if not await self._resend():
                await asyncio.sleep(RESEND_INTERVAL_SECONDS)

    async def _resend(self) -> bool:
        """Send what is kept, oldest first; False at the first failure."""
        while self._unsent:
            job_id, snapshot = next(iter(self._unsent.items()))
            if not await self._send(snapshot):
                return False
            if self._unsent.get(job_id) is snapshot:
                del self._unsent[job_id]
        self._kept.clear()
        return True

    async def _send(self, snapshot: JobSnapshot) -> bool:
        channel = account_channel(self._channel_prefix, snapshot.account_id)
        try:
            await self._redis.publish(channel, snapshot.to_json())
        except (RedisError, OSError) as exc:
            if not self._failing:
                logger.warning("cannot publish job events (%s); they are sent again later", exc)
            self._failing = True
            return False
        job_events_published_total.inc()
        if self._failing:
            logger.info("publishing job events again")
            self._failing = False
        return True

    def _keep(self, snapshot: JobSnapshot) -> None:
        waiting = self._unsent.get(snapshot.id)
        if waiting is not None and waiting.version > snapshot.version:
            return
        self._unsent[snapshot.id] = snapshot
        self._unsent.move_to_end(snapshot.id)
        self._kept.set()
        if len(self._unsent) > MAX_UNSENT_JOBS:
            dropped, _ = self._unsent.popitem(last=False)
            logger.warning("job %s: an event could not be published and is dropped", dropped)
