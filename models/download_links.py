"""Download links: a signed, expiring URL that a plain GET (no token) can fetch a file from.

The API hands them out (ReportJob.downloadUrl) and serves them; the workers put them,
made absolute, in the emails and webhooks that deliver a report.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer

from models.report_jobs import ReportFormat, ReportJob

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


# Hex digits of the job id in a download's name: two reports with the same title on
# the same day must not overwrite each other (`curl -OJ` refuses to), and ids are
# random (uuid4), so the first few tell jobs apart and match the id the API shows.
DOWNLOAD_NAME_ID_DIGITS = 8


def download_filename(job: ReportJob) -> str:
    """A readable name that tells jobs apart, e.g. `tea-sales-2026-12-01-3f2a9c1b.pdf`."""
    base = job.title or f"{job.kind.value.lower()}-report"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower() or "report"
    short_id = job.id.hex[:DOWNLOAD_NAME_ID_DIGITS]
    day = job.created_at.date().isoformat()
    return f"{slug}-{day}-{short_id}.{ReportFormat(job.format).extension}"
