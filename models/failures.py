"""Which failures are worth trying again: lost connections, not bad requests."""

from __future__ import annotations

import asyncpg
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
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

# botocore's: the storage server unreachable, or a connection to it lost or timed out.
_OBJECT_STORAGE_FAILURES = (BotoConnectionError, HTTPClientError)


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
    """The file system failed under us (disk full, I/O error, a vanished directory), or
    object storage did (unreachable, timed out, or answering 5xx such as SlowDown)."""
    return any(
        (isinstance(cause, OSError) and not isinstance(cause, ConnectionError))
        or isinstance(cause, _OBJECT_STORAGE_FAILURES)
        or (isinstance(cause, ClientError) and _status(cause) >= 500)
        for cause in _causes(exc)
    )


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
