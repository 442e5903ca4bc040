"""What a delivery says: the email about a finished report, and the webhook's JSON event.

The webhook body is the contract's:
    {"type": "report.completed" | "report.failed", "timestamp": "<ISO 8601>",
     "data": {"id", "kind", "format", "status", "title", "rowCount", "summary",
              "error", "downloadUrl", "scheduleId"}}
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from models.download_links import download_filename, download_path
from models.report_jobs import JobStatus, ReportFormat, ReportJob
from models.settings import Settings
from workers.delivery.email_sender import Attachment, OutgoingEmail


def report_name(job: ReportJob) -> str:
    return job.title or f"{job.kind.value.capitalize()} report"


def period_text(job: ReportJob) -> str:
    if job.date_from is None and job.date_to is None:
        return "all time"
    if job.date_from == job.date_to:
        return str(job.date_from)
    return f"{job.date_from or 'the beginning'} to {job.date_to or 'today'}"


def absolute_download_url(settings: Settings, job: ReportJob, now: datetime) -> str | None:
    """A signed link valid as long as the file is kept (at least DOWNLOAD_URL_TTL_SECONDS)."""
    if job.status != JobStatus.COMPLETED or job.file_path is None:
        return None
    kept_for = int((job.expires_at - now).total_seconds()) if job.expires_at else 0
    ttl = max(settings.download_url_ttl_seconds, kept_for)
    path = download_path(settings.secret_key, job.id, job.account_id, ttl)
    return settings.public_url.rstrip("/") + path


def webhook_body(settings: Settings, job: ReportJob, now: datetime) -> bytes:
    completed = job.status == JobStatus.COMPLETED
    event: dict[str, Any] = {
        "type": "report.completed" if completed else "report.failed",
        "timestamp": now.isoformat(),
        "data": {
            "id": str(job.id),
            "kind": job.kind.value,
            "format": job.format.value,
            "status": job.status.value,
            "title": job.title,
            "rowCount": job.row_count,
            "summary": job.summary,
            "error": job.error,
            "downloadUrl": absolute_download_url(settings, job, now),
            "scheduleId": str(job.schedule_id) if job.schedule_id else None,
        },
    }
    return json.dumps(event, separators=(",", ":")).encode()


def attachable(settings: Settings, job: ReportJob) -> str | None:
    """The key of the job's file if it goes in an email (EMAIL_ATTACHMENT_MAX_BYTES at
    most); None if the email links to it instead, or there is none."""
    if job.status != JobStatus.COMPLETED or not job.file_path or job.file_size is None:
        return None
    return job.file_path if job.file_size <= settings.email_attachment_max_bytes else None


def report_email(
    settings: Settings,
    job: ReportJob,
    to: str,
    message_id: str,
    now: datetime,
    content: bytes | None = None,
) -> OutgoingEmail:
    """The file attached (`content`, read from the key `attachable` gave), else an
    absolute signed link."""
    name = report_name(job)
    period = period_text(job)
    link = absolute_download_url(settings, job, now)
    lines = [f"{name} ({job.kind.value} {job.format.value}, {period})", ""]
    attachment = None
    if job.status == JobStatus.COMPLETED:
        subject = f"{name}: {period}"
        lines.append(f"Rows: {job.row_count}")
        lines += [f"{key}: {value}" for key, value in (job.summary or {}).items()]
        lines.append("")
        if job.file_path and job.file_size is not None:
            if content is not None:
                attachment = Attachment(
                    filename=download_filename(job),
                    media_type=ReportFormat(job.format).media_type,
                    content=content,
                )
                lines.append("The report is attached.")
            else:
                lines.append(
                    f"The report ({job.file_size:,} bytes) is too large to attach; "
                    "download it here:"
                )
        if link:
            lines.append(link)
        if job.expires_at:
            lines.append(f"It is kept until {job.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC.")
    else:
        subject = f"{name} failed: {period}"
        lines.append(f"The report could not be built: {job.error}")
    return OutgoingEmail(
        to=to,
        subject=subject,
        text="\n".join(lines) + "\n",
        html=None,
        attachment=attachment,
        message_id=message_id,
    )
