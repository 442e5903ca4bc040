"""Job change events: the publisher.

PostgreSQL is the truth and Redis carries news: an event is published only
after the change it describes is committed, so a lost event costs latency,
never data.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.job_snapshots import JobSnapshot
from models.redis_keys import account_channel

logger = logging.getLogger(__name__)


class JobEventPublisher:
    """Publishes committed job changes; a Redis failure is logged, never raised."""

    def __init__(self, redis: Redis, channel_prefix: str) -> None:
        self._redis = redis
        self._channel_prefix = channel_prefix
        # Logged once per outage, not once per event.
        self._failing = False

    async def publish(self, snapshot: JobSnapshot) -> None:
        channel = account_channel(self._channel_prefix, snapshot.account_id)
        try:
            await self._redis.publish(channel, snapshot.to_json())
        except (RedisError, OSError) as exc:
            if not self._failing:
                logger.warning(
                    "cannot publish job events (%s); subscribers catch up from the database",
                    exc,
                )
            self._failing = True
            return
        if self._failing:
            logger.info("publishing job events again")
            self._failing = False
