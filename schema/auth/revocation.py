"""Signing out, in every API process at once: the whole session-revocation protocol.

`logout` marks sessions revoked in PostgreSQL (the truth), then this process
forgets them (no remembered lookup lets their tokens in) and ends their live
connections, and announces their ids on the revocation channel, so every other
API process does the same. A live connection (a WebSocket, or an HTTP
subscription's stream) is also ended when its token expires; how each kind
ends is its own (a socket closes, a stream sends a last part), when and why is
decided here, once for both. If the announcement is lost (Redis away), another
process trusts a token it found live at most SESSION_RECHECK_SECONDS longer,
forgets everything when its event hub reconnects, and its live connections of
those sessions stay open until their token expires (SECURITY.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.redis_keys import revocation_channel
from schema.auth.sessions import Caller, CheckedSessions, end_session
from schema.http.refusals import SESSION_REVOKED, TOKEN_EXPIRED, Refusal
from schema.live.job_event_hub import JobEventHub

logger = logging.getLogger(__name__)

# Ends one live connection, told why; called at most once, on the event loop.
EndConnection = Callable[[Refusal], None]
# Stops tracking a connection that ended by itself.
StopTracking = Callable[[], None]


class _LiveConnection:
    __slots__ = ("end", "expiry", "session_id")

    def __init__(
        self, caller: Caller, end: EndConnection, expire: Callable[[_LiveConnection], None]
    ) -> None:
        self.session_id = caller.session_id
        self.end = end
        delay = max(0.0, (caller.expires_at - datetime.now(UTC)).total_seconds())
        self.expiry = asyncio.get_running_loop().call_later(delay, expire, self)


class LiveConnections:
    """This process's signed-in live connections, by session: each is ended once, when its
    token expires or its session is revoked, whichever comes first."""

    def __init__(self) -> None:
        self._by_session: dict[UUID, set[_LiveConnection]] = defaultdict(set)

    def track(self, caller: Caller, end: EndConnection) -> StopTracking:
        connection = _LiveConnection(caller, end, partial(self._end, refusal=TOKEN_EXPIRED))
        self._by_session[caller.session_id].add(connection)
        return partial(self._forget, connection)

    def end(self, session_ids: Iterable[UUID]) -> None:
        for session_id in session_ids:
            for connection in tuple(self._by_session.get(session_id, ())):
                self._end(connection, refusal=SESSION_REVOKED)

    def _end(self, connection: _LiveConnection, *, refusal: Refusal) -> None:
        self._forget(connection)
        connection.end(refusal)

    def _forget(self, connection: _LiveConnection) -> None:
        connection.expiry.cancel()
        connections = self._by_session.get(connection.session_id)
        if connections is not None:
            connections.discard(connection)
            if not connections:
                del self._by_session[connection.session_id]


class SessionRevocation:
    """This API process's part of the protocol; `checked` is what it remembers of live sessions."""

    def __init__(self, redis: Redis, channel_prefix: str) -> None:
        self.checked = CheckedSessions()
        self._connections = LiveConnections()
        self._redis = redis
        self._channel = revocation_channel(channel_prefix)

    def listen(self, hub: JobEventHub) -> None:
        """Hear other processes' revocations on the hub's connection (call before it starts)."""
        hub.on_channel(self._channel, self._on_announcement)
        # Whatever was announced while the hub was away is lost: trust nothing remembered.
        hub.on_reconnect(self.checked.clear)

    async def revoke(self, caller: Caller, *, everywhere: bool) -> None:
        """Sign the caller's session out, or every session of the account, everywhere."""
        revoked = await end_session(caller, everywhere=everywhere)
        # Here first, so this process ends the connections even if Redis is down.
        self._forget(revoked)
        with contextlib.suppress(RedisError, OSError):
            await self._redis.publish(self._channel, json.dumps([str(i) for i in revoked]))

    def track(self, caller: Caller, end: EndConnection) -> StopTracking:
        """Have `end` called when the caller's token expires, or when its session is revoked
        by any API process; returns what stops that (call it once the connection ends)."""
        return self._connections.track(caller, end)

    def _forget(self, session_ids: list[UUID]) -> None:
        self.checked.forget(session_ids)
        self._connections.end(session_ids)

    def _on_announcement(self, announcement: bytes) -> None:
        try:
            revoked = [UUID(value) for value in json.loads(announcement)]
        except (ValueError, TypeError, AttributeError):
            logger.warning("dropped a malformed session revocation")
            return
        self._forget(revoked)
