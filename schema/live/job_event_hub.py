"""One Redis pub/sub connection per API process, fanned out to in-memory queues.

Every subscriber of the process shares the hub's single pattern subscription;
each gets a bounded queue. A subscriber that falls behind, or that was
listening while the Redis connection was down, is told to resynchronise from
PostgreSQL instead of being buffered without limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Final
from uuid import UUID

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from models.job_snapshots import JobSnapshot
from models.metrics import subscriptions_active
from models.redis_keys import account_channel_pattern, account_id_from_channel
from schema.live.memory_release import MemoryRelease

logger = logging.getLogger(__name__)


class Resync:
    """Marker: events may have been missed; reload what you watch from the database."""


RESYNC: Final = Resync()
HubItem = JobSnapshot | Resync

RECONNECT_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)
HEALTH_CHECK_SECONDS = 5.0


class Listener:
    """One subscriber's bounded backlog and its one waiter: lighter than a Queue, and an
    idle listener holds no buffer at all (thousands of these are alive at once).

    `async with hub.listen(account_id) as listener:` receives while inside.
    """

    __slots__ = ("_account", "_hub", "_items", "_limit", "_waiter")

    def __init__(self, hub: JobEventHub, account: str, limit: int) -> None:
        self._hub = hub
        self._account = account
        self._items: deque[HubItem] | None = None
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None

    @property
    def account(self) -> str:
        return self._account

    async def __aenter__(self) -> Listener:
        self._hub.register(self)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._hub.unregister(self)

    def deliver(self, item: HubItem) -> None:
        items = self._items
        if items is None:
            items = self._items = deque()
        elif len(items) >= self._limit:
            # Too slow to keep up: drop the backlog and let it catch up from the
            # database, rather than buffering without limit.
            items.clear()
            item = RESYNC
        items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> HubItem:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if not self._items:
            self._items = None
        return item


class JobEventHub:
    def __init__(
        self, redis_url: str, channel_prefix: str, client_name: str, queue_size: int = 256
    ) -> None:
        self._redis_url = redis_url
        # Named, so that operators (and tests) can count the hub's connections.
        self._client_name = client_name
        self._prefix = channel_prefix
        self._queue_size = queue_size
        self._listeners: dict[str, set[Listener]] = defaultdict(set)
        self._listener_count = 0
        self._memory_release = MemoryRelease(lambda: self._listener_count)
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        # Other channels this connection also listens to, with their handlers.
        self._channel_handlers: dict[str, Callable[[bytes], None]] = {}
        # Called after a reconnect: whatever was announced meanwhile is lost.
        self._reconnect_handlers: list[Callable[[], None]] = []

    def on_channel(self, channel: str, handler: Callable[[bytes], None]) -> None:
        """Also hand every message on `channel` to `handler` (call before start)."""
        self._channel_handlers[channel] = handler

    def on_reconnect(self, handler: Callable[[], None]) -> None:
        """Also call `handler` whenever the connection comes back after a loss."""
        self._reconnect_handlers.append(handler)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="job-event-hub")
        # Wait briefly so that the first subscribers do not race the first
        # connection; if Redis is down, the hub keeps trying in the background.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout=2)

    async def stop(self) -> None:
        self._memory_release.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def connected(self) -> bool:
        return self._subscribed.is_set()

    @property
    def listener_count(self) -> int:
        return self._listener_count

    def listen(self, account_id: UUID) -> Listener:
        """Every event of one account's jobs, while inside `async with`.

        A plain object rather than a generator-based context manager: one is
        held by every open subscription.
        """
        return Listener(self, str(account_id), self._queue_size)

    def register(self, listener: Listener) -> None:
        self._listeners[listener.account].add(listener)
        self._listener_count += 1
        subscriptions_active.inc()
        self._memory_release.opened()

    def unregister(self, listener: Listener) -> None:
        listeners = self._listeners[listener.account]
        listeners.discard(listener)
        if not listeners:
            del self._listeners[listener.account]
        self._listener_count -= 1
        subscriptions_active.dec()
        self._memory_release.closed()

    async def _run(self) -> None:
        failures = 0
        while True:
            redis = Redis.from_url(
                self._redis_url,
                socket_connect_timeout=2,
                socket_keepalive=True,
                # Pings an idle subscription, so a half-open connection is noticed.
                health_check_interval=HEALTH_CHECK_SECONDS,
                client_name=self._client_name,
            )
            try:
                async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.psubscribe(account_channel_pattern(self._prefix))
                    if self._channel_handlers:
                        await pubsub.subscribe(*self._channel_handlers)
                    if failures:
                        logger.info("job event hub: reconnected to Redis")
                        self._resync_everyone()
                        for handler in self._reconnect_handlers:
                            handler()
                    failures = 0
                    self._subscribed.set()
                    await self._pump(pubsub)
            except (RedisError, OSError) as exc:
                self._subscribed.clear()
                if failures == 0:
                    logger.warning("job event hub: Redis connection lost (%s); retrying", exc)
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                await asyncio.sleep(delay)
            finally:
                await redis.aclose()

    async def _pump(self, pubsub: PubSub) -> None:
        while True:
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=HEALTH_CHECK_SECONDS
            )
            if message is None:
                continue
            channel = message["channel"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            if message.get("type") == "message" and channel in self._channel_handlers:
                self._channel_handlers[channel](message["data"])
                continue
            if message.get("type") != "pmessage":
                continue
            listeners = self._listeners.get(account_id_from_channel(self._prefix, channel))
            if not listeners:
                continue
            try:
                item: HubItem = JobSnapshot.from_json(message["data"])
            except (ValueError, KeyError, TypeError):
                # Something changed, but what cannot be read here (an event of another
                # release, during a rolling upgrade): these subscribers re-read the truth.
                logger.warning("job event hub: an event on %s could not be read", channel)
                item = RESYNC
            for listener in tuple(listeners):
                listener.deliver(item)

    def _resync_everyone(self) -> None:
        for listeners in self._listeners.values():
            for listener in listeners:
                listener.deliver(RESYNC)
