"""Rate limits through the API's own Redis client: a window that passes lets requests in again,
and a Redis that is down lets everything through (and says so in the log, once)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from arq.connections import ArqRedis

from models.settings import Settings
from schema.limits.rate_limits import RateLimited, RateLimiter, RateRule
from schema.redis_pool import open_queue
from service.embedded_redis import EmbeddedRedis
from tests.support.waiting import eventually

# The API's windows are a minute long; the limiter is the same whatever the window.
SHORT_WINDOW_SECONDS = 1.0


@pytest.fixture
async def api_redis(settings: Settings) -> AsyncIterator[ArqRedis]:
    """The Redis client an API process uses, on the run's Redis."""
    redis = open_queue(settings)
    try:
        yield redis
    finally:
        await redis.aclose()


async def test_requests_are_let_in_again_once_the_window_has_passed(
    api_redis: ArqRedis, settings: Settings
) -> None:
    limiter = RateLimiter(api_redis, settings.channel_prefix)
    rule = RateRule("report requests", 2, window_seconds=SHORT_WINDOW_SECONDS)
    caller = uuid.uuid4().hex
    for _ in range(2):
        await limiter.hit(rule, caller)
    with pytest.raises(RateLimited) as caught:
        await limiter.hit(rule, caller)
    assert caught.value.retry_after == 1
    assert "at most 2 per 1 s" in caught.value.message

    await asyncio.sleep(caught.value.retry_after)  # as the refusal told the caller to
    for _ in range(2):
        await limiter.hit(rule, caller)
    with pytest.raises(RateLimited):
        await limiter.hit(rule, caller)


async def test_while_redis_is_down_every_request_is_let_through(
    private_redis: EmbeddedRedis, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    redis = open_queue(replace(settings, redis_url=private_redis.url))
    try:
        limiter = RateLimiter(redis, settings.channel_prefix)
        rule = RateRule("report requests", 1)
        caller = uuid.uuid4().hex
        await limiter.hit(rule, caller)
        with pytest.raises(RateLimited):
            await limiter.hit(rule, caller)

        private_redis.stop()
        with caplog.at_level(logging.WARNING, logger="schema.limits.rate_limits"):
            for _ in range(3):
                await limiter.hit(rule, caller)
        warnings = [r.getMessage() for r in caplog.records if r.name.endswith("rate_limits")]
        assert len(warnings) == 1 and "rate limits off" in warnings[0], warnings

        private_redis.start()

        async def limited() -> bool:
            try:
                await limiter.hit(rule, caller)
            except RateLimited:
                return True
            return False

        await eventually(limited, bool, what="the limit to apply again once Redis is back")
    finally:
        await redis.aclose()
