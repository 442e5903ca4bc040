"""Workers look at the queue as soon as a job is enqueued, not at their next poll.

arq finds new jobs by polling its queue every `poll_delay`; a short delay costs
CPU on every idle worker, a long one makes every job wait for it. Instead,
each enqueue also publishes a wake-up on the queue's channel, and every worker
subscribed to it runs one poll at once. The periodic poll stays as the safety
net (for a missed wake-up, a Redis reconnect, a delayed retry), so a worker can
poll rarely and still start a job within milliseconds.

A wake-up runs a whole poll rather than starting the announced job directly
(which would save one Redis round trip): a poll takes due jobs in priority
order, so a job enqueued while a backlog waits cannot take a freed slot ahead
of more urgent ones.
"""

from __future__ import annotations

import asyncio
import logging

from arq.worker import Worker
from redis.exceptions import RedisError

from models.redis_keys import wakeup_channel

logger = logging.getLogger(__name__)

RESUBSCRIBE_DELAY_SECONDS = 1.0


class WakeOnEnqueue:
    """Runs one of arq's poll iterations per wake-up; wake-ups during a poll fold into one more.

    arq 0.28 (pinned) has no public "poll now", so this takes over the worker's
    `_poll_iteration`: the periodic loop and the wake-ups call it through here,
    one at a time. A poll that fails on a wake-up fails the periodic loop's next
    one, just as if arq's own loop had hit it: arq counts a job slot taken
    before it talks to Redis, so a worker that carried on would be a slot short
    for good; stopped, it is started afresh by the supervisor.
    """

    def __init__(self, worker: Worker) -> None:
        self._worker = worker
        self._channel = wakeup_channel(worker.queue_name)
        self._arq_poll = worker._poll_iteration
        worker._poll_iteration = self._poll_in_turn  # type: ignore[method-assign]
        self._one_at_a_time = asyncio.Lock()
        self._failure: Exception | None = None
        self._polling = False
        self._again = False
        # Held, as the loop keeps only weak references to its tasks.
        self._poll_task: asyncio.Task[None] | None = None

    async def run_forever(self) -> None:
        while True:
            try:
                async with self._worker.pool.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self._wake()
            except (RedisError, OSError) as exc:
                logger.warning("wake-ups paused (%s); polling meanwhile", exc)
                await asyncio.sleep(RESUBSCRIBE_DELAY_SECONDS)

    async def _poll_in_turn(self) -> None:
        """What arq's periodic loop calls instead of its own poll iteration."""
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure
        await self._poll_once()

    async def _poll_once(self) -> None:
        async with self._one_at_a_time:
            await self._arq_poll()

    def _wake(self) -> None:
        if self._polling:
            self._again = True
            return
        self._polling = True
        self._poll_task = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        try:
            while True:
                self._again = False
                await self._poll_once()
                if not self._again:
                    return
        except Exception as exc:
            logger.warning("a wake-up poll failed (%r); the worker starts afresh", exc)
            self._failure = exc
        finally:
            self._polling = False
