"""Which failures are worth trying again: lost connections, not bad requests."""

from __future__ import annotations

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tortoise.exceptions import DBConnectionError

# Lost, refused or timed-out connections to PostgreSQL or Redis, server shutdowns.
_CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    DBConnectionError,
    RedisConnectionError,
    RedisTimeoutError,
)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it (drivers wrap; Tortoise wraps again)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def is_connection_failure(exc: BaseException) -> bool:
    """A database or Redis connection that failed: the service, not the request."""
    return any(isinstance(cause, _CONNECTION_FAILURES) for cause in _causes(exc))


def is_storage_failure(exc: BaseException) -> bool:
    """The file system failed under us (disk full, I/O error, a vanished directory)."""
    return any(
        isinstance(cause, OSError) and not isinstance(cause, ConnectionError)
        for cause in _causes(exc)
    )
