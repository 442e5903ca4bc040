"""Email delivery through a real SMTP server (aiosmtpd, on a port of the test's own),
and into the development outbox when there is no SMTP server."""

from __future__ import annotations

import random
import re
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from models.settings import Settings
from tests.support.receivers import Inbox, free_port, parse, smtp_server
from workers.delivery.email_sender import Attachment, OutgoingEmail, send_email
from workers.delivery.errors import DeliveryError

CSV_BYTES = "day,total\r\n2026-12-01,12.60\r\nthé vert,4.20\r\n".encode()
USERNAME = "reports"
PASSWORD = "correct horse battery staple"


class RefusingRecipients(Inbox):
    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        return self.reply


def authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    assert isinstance(auth_data, LoginPassword)
    if (auth_data.login, auth_data.password) == (USERNAME.encode(), PASSWORD.encode()):
        return AuthResult(success=True, auth_data=auth_data)
    # Echoes the password it was sent, as a careless server might: it must not
    # reach the reason shown to users.
    sent = auth_data.password.decode()
    return AuthResult(success=False, handled=False, message=f"535 5.7.8 {sent} is wrong")


def loopback_address_with_free(port: int) -> str:
    """An address in 127.0.0.0/8 where `port` is free, so that tests running side by
    side can each listen on a fixed port (Linux answers on all of 127/8)."""
    for _ in range(20):
        host = f"127.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return host
    raise AssertionError(f"no loopback address with port {port} free after 20 tries")


def settings_for(tmp_path: Path, host: str, port: int, **overrides: Any) -> Settings:
    return Settings(reports_dir=tmp_path, smtp_host=host, smtp_port=port, **overrides)


@pytest.fixture
def csv_attachment(tmp_path: Path) -> Attachment:
    path = tmp_path / "report.csv"
    path.write_bytes(CSV_BYTES)
    return Attachment("tea-sales.csv", "text/csv; charset=utf-8", path.read_bytes())


def report_email(attachment: Attachment | None = None) -> OutgoingEmail:
    return OutgoingEmail(
        to="Zoe <zoe@example.com>",
        subject="Your report: Tea sales",
        text="Tea sales is ready; it is attached.",
        html="<p><b>Tea sales</b> is ready; it is attached.</p>",
        attachment=attachment,
        message_id=f"<{uuid.uuid4()}@reports>",
    )


async def test_a_message_arrives_with_its_attachment(
    tmp_path: Path, csv_attachment: Attachment
) -> None:
    inbox = Inbox()
    outgoing = report_email(csv_attachment)
    async with smtp_server(inbox) as (host, port):
        settings = settings_for(tmp_path, host, port, smtp_starttls=False)
        assert await send_email(settings, outgoing) == f"{host}:{port}"

    [envelope] = inbox.envelopes
    assert envelope.mail_from == "reports@localhost"
    assert envelope.rcpt_tos == ["zoe@example.com"]
    message = inbox.message()
    assert message["Subject"] == outgoing.subject
    assert message["From"] == "Reports <reports@localhost>"
    assert message["To"] == outgoing.to
    assert message["Message-ID"] == outgoing.message_id
    assert message["Date"].datetime.tzinfo is not None
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None
    assert plain.get_content().strip() == outgoing.text
    assert html is not None
    assert html.get_content().strip() == outgoing.html
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "tea-sales.csv"
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_param("charset") == "utf-8"
    assert attachment.get_payload(decode=True) == CSV_BYTES


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [("550 5.1.1 mailbox unavailable", True), ("451 4.3.0 try again later", False)],
)
async def test_a_refused_recipient_is_the_servers_reply(
    tmp_path: Path, reply: str, permanent: bool
) -> None:
    inbox = RefusingRecipients(reply)
    async with smtp_server(inbox) as (host, port):
        settings = settings_for(tmp_path, host, port, smtp_starttls=False)
        with pytest.raises(DeliveryError) as refused:
            await send_email(settings, report_email())

    assert refused.value.reason == reply
    assert refused.value.permanent is permanent
    assert inbox.envelopes == []


async def test_no_server_listening_is_transient_and_keeps_the_server_private(
    tmp_path: Path,
) -> None:
    port = free_port("127.0.0.1")
    settings = settings_for(tmp_path, "127.0.0.1", port)

    with pytest.raises(DeliveryError) as failed:
        await send_email(settings, report_email())

    assert failed.value.reason.startswith("could not connect to the mail server: ")
    assert "127.0.0.1" not in failed.value.reason and str(port) not in failed.value.reason
    assert not failed.value.permanent


async def test_without_smtp_host_messages_go_to_the_outbox(
    tmp_path: Path, csv_attachment: Attachment
) -> None:
    settings = Settings(reports_dir=tmp_path)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n\x00\xff binary\n%%EOF\n")
    first = report_email(csv_attachment)
    second = report_email(Attachment("tea-sales.pdf", "application/pdf", pdf.read_bytes()))

    written = [Path(await send_email(settings, outgoing)) for outgoing in (first, second)]

    assert sorted(settings.outbox_dir.iterdir()) == sorted(written)
    assert len(set(written)) == 2
    for path, outgoing in zip(written, (first, second), strict=True):
        assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}\.eml", path.name)
        message = parse(path.read_bytes())
        assert message["Message-ID"] == outgoing.message_id
        assert message["To"] == outgoing.to
        [attachment] = message.iter_attachments()
        assert outgoing.attachment is not None
        assert attachment.get_filename() == outgoing.attachment.filename
        assert attachment.get_payload(decode=True) == outgoing.attachment.content
    assert parse(written[1].read_bytes()).get_content_type() == "multipart/mixed"


async def test_port_1025_sends_in_the_clear_by_default(tmp_path: Path) -> None:
    inbox = Inbox()
    host = loopback_address_with_free(1025)
    async with smtp_server(inbox, host, 1025) as (host, port):
        settings = settings_for(tmp_path, host, port)
        await send_email(settings, report_email())

    assert inbox.message()["Subject"] == "Your report: Tea sales"


async def test_required_starttls_against_a_server_without_it_fails_cleanly(
    tmp_path: Path,
) -> None:
    inbox = Inbox()
    async with smtp_server(inbox) as (host, port):
        settings = settings_for(tmp_path, host, port, smtp_starttls=True)
        with pytest.raises(DeliveryError) as failed:
            await send_email(settings, report_email())

    assert failed.value.reason.startswith("could not send through the mail server: ")
    assert "STARTTLS" in failed.value.reason
    assert not failed.value.permanent
    assert inbox.envelopes == []


async def test_the_username_and_password_are_sent(tmp_path: Path) -> None:
    inbox = Inbox()
    async with smtp_server(inbox, authenticator=authenticate, auth_require_tls=False) as (
        host,
        port,
    ):
        settings = settings_for(
            tmp_path,
            host,
            port,
            smtp_starttls=False,
            smtp_username=USERNAME,
            smtp_password=PASSWORD,
        )
        await send_email(settings, report_email())

    assert inbox.logins == [USERNAME.encode()]


async def test_a_wrong_password_is_permanent_and_never_shown(tmp_path: Path) -> None:
    inbox = Inbox()
    wrong = "hunter2-not-it"
    async with smtp_server(inbox, authenticator=authenticate, auth_require_tls=False) as (
        host,
        port,
    ):
        settings = settings_for(
            tmp_path,
            host,
            port,
            smtp_starttls=False,
            smtp_username=USERNAME,
            smtp_password=wrong,
        )
        with pytest.raises(DeliveryError) as refused:
            await send_email(settings, report_email())

    assert refused.value.reason == "535 5.7.8 *** is wrong"
    assert refused.value.permanent
    assert inbox.envelopes == []
