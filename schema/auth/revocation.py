"""Signing out, in every API process at once: the whole session-revocation protocol.

`logout` marks sessions revoked in PostgreSQL (the truth), then this process
forgets them (no remembered lookup lets their tokens in) and ends their live
connections, and announces their ids on the revocation channel, so every other
API process does the same. A live connection (a WebSocket, or an HTTP
subscription's stream) is also ended when its token expires; how each kind
ends is its own (a socket closes, a stream sends a last part), when and why is
decided here, once for both. A connection is watched from before its session is looked up,
so a revocation that arrives while it connects refuses it. If the announcement
is lost (Redis away), another process trusts a token it found live at most
SESSION_RECHECK_SECONDS longer, and when its event hub reconnects it forgets
everything and looks up the sessions of its live connections, ending those
revoked meanwhile (SECURITY.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.failures import is_connection_failure
from models.redis_keys import revocation_channel
from schema.auth.sessions import Caller, CheckedSessions, end_session, revoked_among
from schema.http.refusals import SESSION_REVOKED, TOKEN_EXPIRED, Refusal
from schema.live.job_event_hub import JobEventHub

logger = logging.getLogger(__name__)

# Ends one live connection, told why; called at most once, on the event loop.
EndConnection = Callable[[Refusal], None]


class LiveConnection:
    """One live connection's sign-out, watched from before its session is looked up.

    A revocation announced while the connection is still being set up (its
    session being read, its rate limit counted) is remembered here, and
    `connected` answers with it: the connection is refused instead of living on,
    signed in, until its token expires.
    """

    __slots__ = ("_connections", "_end", "_expiry", "session_id", "signed_out")

    def __init__(self, session_id: UUID, connections: LiveConnections) -> None:
        self.session_id = session_id
        self.signed_out: Refusal | None = None
        self._end: EndConnection | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self._connections = connections

    def connected(self, caller: Caller, end: EndConnection) -> Refusal | None:
        """Have `end` called when the caller's token expires or its session is revoked;
        if it was revoked already, since the watch began, that Refusal instead."""
        if self.signed_out is None:
            self._end = end
            delay = max(0.0, (caller.expires_at - datetime.now(UTC)).total_seconds())
            self._expiry = asyncio.get_running_loop().call_later(
                delay, self.sign_out, TOKEN_EXPIRED
            )
        return self.signed_out

    def sign_out(self, refusal: Refusal) -> None:
        if self.signed_out is not None:
            return
        self.signed_out = refusal
        self.stop()
        if self._end is not None:
            self._end(refusal)

    def stop(self) -> None:
        """Stop watching: the connection ended, or was refused. Safe to call more than once."""
        if self._expiry is not None:
            self._expiry.cancel()
        self._connections.discard(self)


class LiveConnections:
    """This process's live connections, by session: each is ended once, when its token
    expires or its session is revoked, whichever comes first."""

    def __init__(self) -> None:
        self._by_session: dict[UUID, set[LiveConnection]] = defaultdict(set)

    def watch(self, session_id: UUID) -> LiveConnection:
        connection = LiveConnection(session_id, self)
        self._by_session[session_id].add(connection)
        return connection

    def end(self, session_ids: Iterable[UUID]) -> None:
        for session_id in session_ids:
            for connection in tuple(self._by_session.get(session_id, ())):
                connection.sign_out(SESSION_REVOKED)

    def session_ids(self) -> list[UUID]:
        return list(self._by_session)

    def discard(self, connection: LiveConnection) -> None:
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
        self._rechecks: set[asyncio.Task[None]] = set()

    def listen(self, hub: JobEventHub) -> None:
        """Hear other processes' revocations on the hub's connection (call before it starts)."""
        hub.on_channel(self._channel, self._on_announcement)
        hub.on_reconnect(self._on_reconnect)

    async def close(self) -> None:
        for recheck in tuple(self._rechecks):
            recheck.cancel()
        await asyncio.gather(*self._rechecks, return_exceptions=True)

    async def revoke(self, caller: Caller, *, everywhere: bool) -> None:
        """Sign the caller's session out, or every session of the account, everywhere."""
        revoked = await end_session(caller, everywhere=everywhere)
        # Here first, so this process ends the connections even if Redis is down.
        self._sign_out(revoked)
        with contextlib.suppress(RedisError, OSError):
            await self._redis.publish(self._channel, json.dumps([str(i) for i in revoked]))

    def watch(self, session_id: UUID) -> LiveConnection:
        """Start watching a live connection's session for a sign-out, before looking it up;
        then `connected` (or `stop` if the connection is refused or ends)."""
        return self._connections.watch(session_id)

    def _sign_out(self, session_ids: list[UUID]) -> None:
        self.checked.forget(session_ids)
        self._connections.end(session_ids)

    def _on_announcement(self, announcement: bytes) -> None:
        try:
            revoked = [UUID(value) for value in json.loads(announcement)]
        except (ValueError, TypeError, AttributeError):
            logger.warning("dropped a malformed session revocation")
            return
        self._sign_out(revoked)

    def _on_reconnect(self) -> None:
        # Whatever was announced while the hub was away is lost: trust nothing
        # remembered, and ask the truth about the sessions connected here.
        self.checked.clear()
        recheck = asyncio.get_running_loop().create_task(self._end_revoked_while_away())
        self._rechecks.add(recheck)
        recheck.add_done_callback(self._rechecks.discard)

    async def _end_revoked_while_away(self) -> None:
        watched = self._connections.session_ids()
        if not watched:
            return
        try:
            revoked = await revoked_among(watched)
        except Exception as exc:
            if not is_connection_failure(exc):
                raise
            logger.warning("could not recheck live sessions after a Redis outage: %s", exc)
            return
        self._sign_out(revoked)
