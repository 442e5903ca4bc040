"""Sign-in sessions: a token is valid while its signature holds and its session is live."""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from models.accounts import AuthSession
from models.settings import Settings
from schema.auth.tokens import AuthClaims, InvalidTokenError, issue_auth_token, read_auth_token

# Longest a token found live is trusted without looking at its session again,
# should a revocation announcement be lost (see CheckedSessions).
SESSION_RECHECK_SECONDS = 10.0
MAX_CHECKED_SESSIONS = 10_000


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


def session_of(settings: Settings, token: str) -> UUID | None:
    """The session a well-signed, unexpired token names, live or not, without looking it up."""
    claims = _claims(settings, token)
    return None if claims is None else claims.session_id


async def authenticate(settings: Settings, token: str) -> Caller | None:
    """Who the token speaks for, or None if it is forged, expired or revoked."""
    claims = _claims(settings, token)
    if claims is None:
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


async def revoked_among(session_ids: Iterable[UUID]) -> list[UUID]:
    """Which of these sessions are revoked."""
    revoked = AuthSession.filter(id__in=list(session_ids), revoked_at__isnull=False)
    return [UUID(str(i)) for i in await revoked.values_list("id", flat=True)]


def _claims(settings: Settings, token: str) -> AuthClaims | None:
    try:
        return read_auth_token(settings.secret_key, token, settings.token_ttl_seconds)
    except InvalidTokenError:
        return None


class CheckedSessions:
    """Tokens whose session was found live moments ago, so that a client's next requests
    skip the session lookup (a database round trip and most of a small request's CPU).

    A revocation forgets its sessions at once: in the process that revokes, and in
    every other through the revocation channel (revocation.py). Should that announcement be lost
    (Redis away), a session is looked up again SESSION_RECHECK_SECONDS at most
    after it was last, and everything is forgotten when the event hub reconnects.
    """

    def __init__(self) -> None:
        self._callers: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
        self._tokens: dict[UUID, set[str]] = defaultdict(set)
        # Bumped by every forget and clear: a lookup that began before one may have
        # read a session revoked since, and must not be remembered.
        self._generation = 0

    @property
    def generation(self) -> int:
        """Read before looking a session up; hand it to put()."""
        return self._generation

    def get(self, token: str) -> Caller | None:
        entry = self._callers.get(token)
        if entry is None:
            return None
        caller, checked_at = entry
        if (
            time.monotonic() - checked_at > SESSION_RECHECK_SECONDS
            or caller.expires_at <= datetime.now(UTC)
        ):
            self._drop(token)
            return None
        return caller

    def put(self, token: str, caller: Caller, generation: int) -> None:
        if generation != self._generation:
            return
        self._drop(token)
        self._callers[token] = (caller, time.monotonic())
        self._tokens[caller.session_id].add(token)
        if len(self._callers) > MAX_CHECKED_SESSIONS:
            self._drop(next(iter(self._callers)))

    def forget(self, session_ids: Iterable[UUID]) -> None:
        self._generation += 1
        for session_id in session_ids:
            for token in self._tokens.pop(session_id, set()):
                self._callers.pop(token, None)

    def clear(self) -> None:
        self._generation += 1
        self._callers.clear()
        self._tokens.clear()

    def _drop(self, token: str) -> None:
        entry = self._callers.pop(token, None)
        if entry is not None:
            tokens = self._tokens.get(entry[0].session_id)
            if tokens is not None:
                tokens.discard(token)
                if not tokens:
                    del self._tokens[entry[0].session_id]
