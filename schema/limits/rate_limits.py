"""Sliding-window rate limits kept in Redis, shared by every API process.

While Redis is unreachable the limiter lets requests through (and says so in
the log, once): an outage of Redis must not take the API down with it.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.redis_keys import rate_limit_key
from schema.errors import ApiError, ErrorCode

logger = logging.getLogger(__name__)

# Drop hits older than the window, count the rest, record this one if allowed.
# Returns {1} when allowed, {0, oldest hit's time} when not.
_SLIDING_WINDOW = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
    tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  return {0, redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return {1}
"""


@dataclass(frozen=True, slots=True)
class RateRule:
    name: str
    limit: int
    window_seconds: float = 60.0


class RateLimited(ApiError):
    def __init__(self, rule: RateRule, retry_after: int) -> None:
        super().__init__(
            ErrorCode.RATE_LIMITED,
            f"Too many requests ({rule.name}): at most {rule.limit} per "
            f"{rule.window_seconds:g} s. Try again in {retry_after} s.",
            retryAfter=retry_after,
        )
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._key_prefix = key_prefix
        self._failing = False

    async def hit(self, rule: RateRule, subject: str) -> None:
        """Count one hit of `subject` against `rule`; raise RateLimited over the limit."""
        now = time.time()
        key = rate_limit_key(self._key_prefix, rule.name, subject)
        try:
            result = await self._script(
                keys=[key],
                args=[now, rule.window_seconds, rule.limit, f"{now}:{uuid.uuid4().hex[:8]}"],
            )
        except (RedisError, OSError) as exc:
            if not self._failing:
                logger.warning("rate limits off while Redis is unreachable (%s)", exc)
            self._failing = True
            return
        if self._failing:
            logger.info("rate limits on again")
            self._failing = False
        if int(result[0]) == 0:
            oldest = float(result[1])
            raise RateLimited(rule, max(1, math.ceil(oldest + rule.window_seconds - now)))
