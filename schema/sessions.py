"""Sign-in sessions: a token is valid while its signature holds and its session is live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from models.accounts import AuthSession
from models.settings import Settings
from schema.signing import AuthClaims, InvalidTokenError, issue_auth_token, read_auth_token


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


async def end_session(caller: Caller, *, everywhere: bool) -> None:
    """Revoke the caller's session, or every live session of the account."""
    sessions = AuthSession.filter(account_id=caller.account_id, revoked_at__isnull=True)
    if not everywhere:
        sessions = sessions.filter(id=caller.session_id)
    await sessions.update(revoked_at=datetime.now(UTC))
