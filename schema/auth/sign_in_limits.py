"""Sign-in attempts, limited so that guessing is slow and a stranger cannot lock anyone out.

- Per email and client address: RATE_LIMIT_LOGINS_PER_MINUTE. One place
  guessing one account.
- Per client address: the same. One place trying many accounts.
- Per email, from anywhere: EMAIL_LIMIT_FACTOR times that an hour. A slow guess
  at one account from many addresses. An address that signed in to the account
  within KNOWN_ADDRESS_DAYS is not held by this one, so a stranger's wrong
  passwords cannot keep the owner out; a new address waits for it, as a guess does.

Before, ten wrong passwords a minute for an email, from anywhere, made the
owner's right password answer RATE_LIMITED.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.redis_keys import known_sign_in_addresses_key
from schema.limits.rate_limits import RateLimited, RateLimiter, RateRule

EMAIL_LIMIT_FACTOR = 6
EMAIL_WINDOW_SECONDS = 3600.0
KNOWN_ADDRESS_DAYS = 30


class SignInLimits:
    def __init__(
        self, limiter: RateLimiter, redis: Redis, channel_prefix: str, per_minute: int
    ) -> None:
        self._limiter = limiter
        self._redis = redis
        self._prefix = channel_prefix
        self._per_minute = per_minute

    async def check(self, email: str, address: str) -> None:
        """Count one attempt; RateLimited over any limit that holds this caller."""
        attempts = RateRule("sign-in attempts", self._per_minute)
        await self._limiter.hit(attempts, f"pair:{email}:{address}")
        await self._limiter.hit(attempts, f"address:{address}")
        per_email = RateRule(
            "sign-in attempts per account",
            self._per_minute * EMAIL_LIMIT_FACTOR,
            EMAIL_WINDOW_SECONDS,
        )
        try:
            await self._limiter.hit(per_email, f"email:{email}")
        except RateLimited:
            if not await self._known(email, address):
                raise

    async def signed_in(self, email: str, address: str) -> None:
        """Remember the address as the account's for KNOWN_ADDRESS_DAYS."""
        key = known_sign_in_addresses_key(self._prefix, email)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.sadd(key, address)
                pipe.expire(key, KNOWN_ADDRESS_DAYS * 24 * 3600)
                await pipe.execute()
        except (RedisError, OSError):
            pass

    async def _known(self, email: str, address: str) -> bool:
        key = known_sign_in_addresses_key(self._prefix, email)
        try:
            return bool(await self._redis.sismember(key, address))  # type: ignore[misc]
        except (RedisError, OSError):
            return False
