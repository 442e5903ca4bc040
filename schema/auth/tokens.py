"""Signed, tamper-evident sign-in tokens; each names a server-side session (sessions.py).

Download links are signed too (models/download_links.py), with a salt of
their own, so a token made for one purpose is never accepted for the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from itsdangerous import BadSignature, URLSafeTimedSerializer

_AUTH_SALT = "reports.auth-token"


class InvalidTokenError(Exception):
    """Tampered, expired, or made for another purpose."""


@dataclass(frozen=True, slots=True)
class AuthClaims:
    account_id: UUID
    session_id: UUID


def issue_auth_token(secret_key: str, claims: AuthClaims) -> str:
    payload = {"a": str(claims.account_id), "s": str(claims.session_id)}
    return str(URLSafeTimedSerializer(secret_key, salt=_AUTH_SALT).dumps(payload))


def read_auth_token(secret_key: str, token: str, max_age_seconds: int) -> AuthClaims:
    """The token's claims if its signature holds and it is younger than max_age."""
    try:
        payload = URLSafeTimedSerializer(secret_key, salt=_AUTH_SALT).loads(
            token, max_age=max_age_seconds
        )
        return AuthClaims(account_id=UUID(payload["a"]), session_id=UUID(payload["s"]))
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidTokenError("invalid or expired token") from exc
