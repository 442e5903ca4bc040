"""The API process's Redis connections: a few, shared, and failing fast when Redis hangs.

Unlike arq's create_pool, nothing here needs Redis to be up: the API starts,
and keeps answering, during a Redis outage.
"""

from __future__ import annotations

import time
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError

from models.settings import Settings

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


def open_queue(settings: Settings) -> ArqRedis:
    """The API's client for enqueueing, publishing and rate limits; connects lazily."""
    pool = FailFastPool.from_url(
        settings.redis_url,
        max_connections=API_REDIS_CONNECTIONS,
        timeout=API_REDIS_CONNECTION_WAIT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    return ArqRedis(pool, default_queue_name=settings.queue_name)
