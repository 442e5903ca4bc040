"""Signing out, in every API process at once: the whole session-revocation protocol.

`logout` marks sessions revoked in PostgreSQL (the truth), then this process
forgets them (no remembered lookup lets their tokens in) and ends their live
connections, and announces their ids on the revocation channel, so every other
API process does the same. A live connection (a WebSocket, or an HTTP
subscription's stream) is also ended when its token expires; how each kind
ends is its own (a socket closes, a stream sends a last part), when and why is
decided here, once for both. A connection is watched from before its session is looked up,
so a revocation that arrives while it connects refuses it. An announcement
Redis does not take is sent again until it does. Meanwhile another process
trusts a token it found live at most SESSION_RECHECK_SECONDS longer, and keeps
its live connections of those sessions; if its own event hub lost Redis, it
forgets everything when the hub reconnects, and looks up the sessions of its
live connections, ending those revoked meanwhile (SECURITY.md).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from models.failures import is_connection_failure
from models.redis_keys import revocation_channel
from schema.auth.sessions import Caller, CheckedSessions, end_session, revoked_among
from schema.http.refusals import SESSION_REVOKED, TOKEN_EXPIRED, Refusal
from schema.live.job_event_hub import JobEventHub

logger = logging.getLogger(__name__)

# How long an announcement Redis did not take, or a recheck the database did not
# answer, waits before it is tried again (doubling up to the last).
RETRY_DELAYS_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)

# Ends one live connection, told why; called at most once, on the event loop.
EndConnection = Callable[[Refusal], None]


class LiveConnection:
    """One live connection's sign-out, watched from before its session is looked up.

    A revocation announced while the connection is still being set up (its
    session being read, its rate limit counted) is remembered here, and
    `connected` answers with it: the connection is refused instead of living on,
    signed in, until its token expires.
    """

    __slots__ = ("_connections", "_end", "_expiry", "_stopped", "session_id", "signed_out")

    def __init__(self, session_id: UUID, connections: LiveConnections) -> None:
        self.session_id = session_id
        self.signed_out: Refusal | None = None
        self._end: EndConnection | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self._stopped = False
        self._connections = connections

    def connected(self, caller: Caller, end: EndConnection) -> Refusal | None:
        """Have `end` called when the caller's token expires or its session is revoked;
        if it was revoked already, since the watch began, that Refusal instead."""
        if self.signed_out is None and not self._stopped:
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
        self._stopped = True
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
        # Revoked here, not yet announced: Redis did not take the announcement.
        self._unannounced: set[UUID] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def listen(self, hub: JobEventHub) -> None:
        """Hear other processes' revocations on the hub's connection (call before it starts)."""
        hub.on_channel(self._channel, self._on_announcement)
        hub.on_reconnect(self._on_reconnect)

    async def close(self) -> None:
        for task in tuple(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def revoke(self, caller: Caller, *, everywhere: bool) -> None:
        """Sign the caller's session out, or every session of the account, everywhere."""
        revoked = await end_session(caller, everywhere=everywhere)
        # Here first, so this process ends the connections even if Redis is down.
        self._sign_out(revoked)
        if not self._unannounced and await self._announce(revoked):
            return
        # Announced again until Redis takes it: a hang too short for the other
        # processes' event hubs to reconnect (and recheck) would otherwise lose it.
        starting = not self._unannounced
        self._unannounced.update(revoked)
        if starting:
            self._spawn(self._retry(self._announce_unannounced))

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
        self._spawn(self._retry(self._end_revoked_while_away))

    async def _announce(self, session_ids: Iterable[UUID]) -> bool:
        try:
            await self._redis.publish(self._channel, json.dumps([str(i) for i in session_ids]))
        except (RedisError, OSError):
            return False
        return True

    async def _announce_unannounced(self) -> bool:
        announcing = tuple(self._unannounced)
        if not await self._announce(announcing):
            return False
        self._unannounced.difference_update(announcing)
        return not self._unannounced

    async def _end_revoked_while_away(self) -> bool:
        watched = self._connections.session_ids()
        if watched:
            try:
                revoked = await revoked_among(watched)
            except Exception as exc:
                if not is_connection_failure(exc):
                    raise
                logger.warning("live sessions not rechecked yet after a Redis outage: %s", exc)
                return False
            self._sign_out(revoked)
        return True

    @staticmethod
    async def _retry(attempt: Callable[[], Awaitable[bool]]) -> None:
        """Call `attempt` until it says it succeeded, waiting longer between failures."""
        for failures in itertools.count():
            if await attempt():
                return
            await asyncio.sleep(RETRY_DELAYS_SECONDS[min(failures, len(RETRY_DELAYS_SECONDS) - 1)])

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
