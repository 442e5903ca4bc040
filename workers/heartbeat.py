"""Worker heartbeats: how the API knows how many workers are alive."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.redis_keys import workers_key

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_SECONDS = 5.0
# A worker not heard from for this long is counted as gone.
HEARTBEAT_EXPIRY_SECONDS = 3 * HEARTBEAT_INTERVAL_SECONDS


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def count_live_workers(redis: Redis, channel_prefix: str) -> int:
    return int(
        await redis.zcount(
            workers_key(channel_prefix), time.time() - HEARTBEAT_EXPIRY_SECONDS, "+inf"
        )
    )


async def beat_forever(redis: Redis, channel_prefix: str, identity: str) -> None:
    key = workers_key(channel_prefix)
    while True:
        try:
            now = time.time()
            async with redis.pipeline(transaction=False) as pipe:
                pipe.zadd(key, {identity: now})
                pipe.zremrangebyscore(key, "-inf", now - HEARTBEAT_EXPIRY_SECONDS)
                await pipe.execute()
        except (RedisError, OSError):
            logger.warning("heartbeat: Redis unreachable", exc_info=True)
        await asyncio.sleep(HEARTBEAT_INTERVAL_SECONDS)


async def leave(redis: Redis, channel_prefix: str, identity: str) -> None:
    try:
        await redis.zrem(workers_key(channel_prefix), identity)
    except (RedisError, OSError):
        logger.warning("heartbeat: could not sign off", exc_info=True)
