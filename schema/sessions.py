"""Sign-in sessions: a token is valid while its signature holds and its session is live."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from starlette.websockets import WebSocket

from models.accounts import AuthSession
from models.settings import Settings
from schema.signing import AuthClaims, InvalidTokenError, issue_auth_token, read_auth_token

logger = logging.getLogger(__name__)

# Closing code for a WebSocket whose token expired or was revoked (4401: the
# 4400 range is the application's, and 401 reads as "sign in again").
SIGNED_OUT_CLOSE_CODE = 4401


@dataclass(frozen=True, slots=True)
class Caller:
    account_id: UUID
    session_id: UUID
    expires_at: datetime


async def start_session(settings: Settings, account_id: UUID) -> str:
    """A new session for the account; returns its token."""
    session = await AuthSession.create(
        account_id=account_id,
        expires_at=datetime.now(UTC) + timedelta(seconds=settings.token_ttl_seconds),
    )
    return issue_auth_token(settings.secret_key, AuthClaims(account_id, session.id))


async def authenticate(settings: Settings, token: str) -> Caller | None:
    """Who the token speaks for, or None if it is forged, expired or revoked."""
    try:
        claims = read_auth_token(settings.secret_key, token, settings.token_ttl_seconds)
    except InvalidTokenError:
        return None
    session = await AuthSession.get_or_none(
        id=claims.session_id,
        account_id=claims.account_id,
        revoked_at__isnull=True,
        expires_at__gt=datetime.now(UTC),
    )
    if session is None:
        return None
    return Caller(claims.account_id, session.id, session.expires_at)


async def end_session(caller: Caller, *, everywhere: bool) -> list[UUID]:
    """Revoke the caller's session, or every live session of the account; their ids."""
    sessions = AuthSession.filter(account_id=caller.account_id, revoked_at__isnull=True)
    if not everywhere:
        sessions = sessions.filter(id=caller.session_id)
    revoked: list[UUID] = [UUID(str(i)) for i in await sessions.values_list("id", flat=True)]
    await AuthSession.filter(id__in=revoked).update(revoked_at=datetime.now(UTC))
    return revoked


def revocation_channel(prefix: str) -> str:
    """Where revoked session ids are announced, so every API process closes their sockets."""
    return f"{prefix}:sessions:revoked"


class SessionSockets:
    """The open WebSockets of this process, by session, to close when one is revoked."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[WebSocket]] = defaultdict(set)

    def add(self, session_id: UUID, socket: WebSocket) -> None:
        self._sockets[str(session_id)].add(socket)

    def discard(self, session_id: UUID, socket: WebSocket) -> None:
        sockets = self._sockets.get(str(session_id))
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._sockets[str(session_id)]

    def close_revoked(self, payload: bytes) -> None:
        """Handle an announcement: a JSON list of revoked session ids."""
        try:
            session_ids = [str(UUID(value)) for value in json.loads(payload)]
        except (ValueError, TypeError):
            logger.warning("dropped a malformed session revocation")
            return
        for session_id in session_ids:
            for socket in tuple(self._sockets.get(session_id, ())):
                asyncio.get_running_loop().create_task(close_socket(socket, "session revoked"))


async def close_socket(socket: WebSocket, reason: str) -> None:
    with contextlib.suppress(RuntimeError, OSError):
        await socket.close(code=SIGNED_OUT_CLOSE_CODE, reason=reason)
