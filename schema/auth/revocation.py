"""Signing out, in every API process at once: the whole session-revocation protocol.

`logout` marks sessions revoked in PostgreSQL (the truth), then this process
forgets them (no remembered lookup lets their tokens in) and closes their open
WebSockets, and announces their ids on the revocation channel, so every other
API process does the same. If the announcement is lost (Redis away), another
process trusts a token it found live at most SESSION_RECHECK_SECONDS longer,
forgets everything when its event hub reconnects, and its sockets of those
sessions stay open until their token expires (SECURITY.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.websockets import WebSocket

from models.redis_keys import revocation_channel
from schema.auth.sessions import Caller, CheckedSessions, end_session
from schema.http.refusals import SESSION_REVOKED, close_socket
from schema.live.job_event_hub import JobEventHub

logger = logging.getLogger(__name__)


class SessionSockets:
    """The open WebSockets of this process, by session, to close when one is revoked."""

    def __init__(self) -> None:
        self._sockets: dict[UUID, set[WebSocket]] = defaultdict(set)

    def add(self, session_id: UUID, socket: WebSocket) -> None:
        self._sockets[session_id].add(socket)

    def discard(self, session_id: UUID, socket: WebSocket) -> None:
        sockets = self._sockets.get(session_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._sockets[session_id]

    def close(self, session_ids: Iterable[UUID]) -> None:
        for session_id in session_ids:
            for socket in tuple(self._sockets.get(session_id, ())):
                asyncio.get_running_loop().create_task(close_socket(socket, SESSION_REVOKED))


class SessionRevocation:
    """This API process's part of the protocol; `checked` is what it remembers of live sessions."""

    def __init__(self, redis: Redis, channel_prefix: str) -> None:
        self.checked = CheckedSessions()
        self._sockets = SessionSockets()
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
        # Here first, so this process closes the sockets even if Redis is down.
        self._forget(revoked)
        with contextlib.suppress(RedisError, OSError):
            await self._redis.publish(self._channel, json.dumps([str(i) for i in revoked]))

    def track(self, session_id: UUID, socket: WebSocket) -> Callable[[], None]:
        """Close `socket` if its session is revoked; returns what stops tracking it."""
        self._sockets.add(session_id, socket)
        return lambda: self._sockets.discard(session_id, socket)

    def _forget(self, session_ids: list[UUID]) -> None:
        self.checked.forget(session_ids)
        self._sockets.close(session_ids)

    def _on_announcement(self, announcement: bytes) -> None:
        try:
            revoked = [UUID(value) for value in json.loads(announcement)]
        except (ValueError, TypeError, AttributeError):
            logger.warning("dropped a malformed session revocation")
            return
        self._forget(revoked)
