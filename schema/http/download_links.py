"""Download links: a signed, expiring URL that a plain GET (no token) can fetch a file from."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer

_DOWNLOAD_SALT = "reports.download-link"

# Where the API serves downloads: a path, then the signed token.
DOWNLOADS_PREFIX = "/downloads/"


class InvalidLinkError(Exception):
    """Tampered, expired, or made for another purpose."""


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
        raise InvalidLinkError("invalid download link") from exc
    if grant.expires_at < time.time():
        raise InvalidLinkError("expired download link")
    return grant


def download_path(secret_key: str, job_id: UUID, account_id: UUID, ttl_seconds: int) -> str:
    """The relative URL a plain GET can fetch the job's file from until it expires."""
    grant = DownloadGrant(job_id, account_id, int(time.time()) + ttl_seconds)
    return f"{DOWNLOADS_PREFIX}{sign_download(secret_key, grant)}"
