"""Email delivery of finished reports: through an SMTP server, or into an outbox folder.

With no SMTP_HOST (development) each message is written whole as an .eml file
under REPORTS_DIR/outbox, so a newcomer sees what would have been sent, in a mail
client, without running a mail server. Whatever goes wrong on the way becomes a
DeliveryError carrying the server's own reply, so the outbox knows whether
another try can help.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from uuid import uuid4

import aiosmtplib

from models.settings import Settings
from workers.delivery.errors import DeliveryError
from workers.storage import temp_path_for

# Per network operation (connect, each command, the data), not for the whole send.
SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    media_type: str
    # At most EMAIL_ATTACHMENT_MAX_BYTES, read from storage (report_messages.py).
    content: bytes


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None
    attachment: Attachment | None
    message_id: str


async def send_email(settings: Settings, email: OutgoingEmail) -> str:
    """Send `email` through SMTP_HOST, or write it to the outbox when there is none.

    Returns where it went, for logs: "host:port", or the .eml file's path. Raises
    DeliveryError when it did not get through.
    """
    sent_at = datetime.now(UTC)
    # Base64-encoding a large report takes a while.
    message = await asyncio.to_thread(_render, settings.smtp_from, email, sent_at)
    if not settings.smtp_host:
        return str(await _write_to_outbox(settings.outbox_dir, sent_at, message))
    await _send_through_smtp(settings, email, message)
    return f"{settings.smtp_host}:{settings.smtp_port}"


def _render(sender: str, email: OutgoingEmail, sent_at: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = sent_at
    # Stable across retries, so a receiver can drop a copy a lost reply made us resend.
    message["Message-ID"] = email.message_id
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    if email.attachment is not None:
        maintype, subtype, params = _content_type(email.attachment.media_type)
        message.add_attachment(
            email.attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=email.attachment.filename,
            params=params,
        )
    return message.as_bytes(policy=policy.SMTP)


def _content_type(media_type: str) -> tuple[str, str, dict[str, str]]:
    """("text", "csv", {"charset": "utf-8"}) from "text/csv; charset=utf-8", parsed
    as a Content-Type header is, quoted parameters included."""
    header = EmailMessage()
    header["Content-Type"] = media_type
    params: dict[str, str] = dict(header["Content-Type"].params)
    return header.get_content_maintype(), header.get_content_subtype(), params


async def _send_through_smtp(settings: Settings, email: OutgoingEmail, message: bytes) -> None:
    # Reasons are shown to users: the mail server is not named (the worker logs it).
    where = "the mail server"
    try:
        await aiosmtplib.send(
            message,
            sender=settings.smtp_from,
            recipients=[email.to],
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            start_tls=settings.smtp_uses_starttls,
            use_tls=settings.smtp_uses_implicit_tls,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            timeout=SMTP_TIMEOUT_SECONDS,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        # One recipient per message, so its reply is the whole story.
        raise _server_said(settings, exc.recipients[0]) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise _server_said(settings, exc) from exc
    except aiosmtplib.SMTPConnectError as exc:
        reason = f"could not connect to {where}: {_detail(exc)}"
        raise DeliveryError(_without_password(settings, reason)) from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        # A failed STARTTLS or certificate check, a dropped connection, a timeout:
        # the server may be fine on the next try.
        reason = f"could not send through {where}: {_detail(exc)}"
        raise DeliveryError(_without_password(settings, reason)) from exc


def _server_said(settings: Settings, exc: aiosmtplib.SMTPResponseException) -> DeliveryError:
    """The server's reply as the reason; 5xx means it will say the same next time."""
    reason = _without_password(settings, f"{exc.code} {exc.message}")
    return DeliveryError(reason, permanent=500 <= exc.code < 600)


def _detail(exc: BaseException) -> str:
    """What went wrong, without the server's address (aiosmtplib and the OS name it)."""
    cause = exc.__cause__ or exc
    errors = [cause, *getattr(cause, "exceptions", ())]
    for error in errors:
        if isinstance(error, OSError) and error.errno:
            return os.strerror(error.errno)
    if isinstance(cause, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _without_password(settings: Settings, reason: str) -> str:
    # The reason is shown to users; a server may echo what it was sent.
    if settings.smtp_password:
        return reason.replace(settings.smtp_password, "***")
    return reason


async def _write_to_outbox(outbox_dir: Path, sent_at: datetime, message: bytes) -> Path:
    # Sortable by time; the suffix keeps two messages of the same second apart.
    final = outbox_dir / f"{sent_at:%Y%m%dT%H%M%SZ}-{uuid4().hex[:8]}.eml"
    try:
        await asyncio.to_thread(_write_atomically, final, message)
    except OSError as exc:
        raise DeliveryError(f"could not write to the outbox {outbox_dir}: {exc}") from exc
    return final


def _write_atomically(final: Path, content: bytes) -> None:
    """A mail client watching the folder never sees half a message."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(final)
    try:
        temp.write_bytes(content)
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
