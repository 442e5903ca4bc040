"""Signed, tamper-evident tokens: sign-in tokens and download links.

Each purpose has its own salt, so a token made for one is never accepted as
the other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

_AUTH_SALT = "reports.auth-token"
_DOWNLOAD_SALT = "reports.download-link"


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


@dataclass(frozen=True, slots=True)
class DownloadGrant:
    job_id: UUID
    account_id: UUID
    expires_at: int


def sign_download(secret_key: str, grant: DownloadGrant) -> str:
    return str(
        URLSafeSerializer(secret_key, salt=_DOWNLOAD_SALT).dumps(
            {"j": str(grant.job_id), "a": str(grant.account_id), "e": grant.expires_at}
        )
    )


def read_download(secret_key: str, token: str) -> DownloadGrant:
    try:
        payload = URLSafeSerializer(secret_key, salt=_DOWNLOAD_SALT).loads(token)
        grant = DownloadGrant(
            job_id=UUID(payload["j"]), account_id=UUID(payload["a"]), expires_at=int(payload["e"])
        )
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidTokenError("invalid download link") from exc
    if grant.expires_at < time.time():
        raise InvalidTokenError("expired download link")
    return grant


def download_path(secret_key: str, job_id: UUID, account_id: UUID, ttl_seconds: int) -> str:
    """The relative URL a plain GET can fetch the job's file from until it expires."""
    grant = DownloadGrant(job_id, account_id, int(time.time()) + ttl_seconds)
    return f"/downloads/{sign_download(secret_key, grant)}"
