"""No secret in any log line: a whole run at DEBUG (sign-up and its confirmation link, a
password, tokens over HTTP and WebSocket, a report downloaded through its signed link,
emailed through an SMTP server that wants a login, and sent to a signed webhook), with
everything the API and the worker wrote searched for each secret, in both formats."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from client.graphql_client import GRAPHQL_TRANSPORT_WS, ReportsClient
from models.download_links import DOWNLOADS_PREFIX
from models.sign_up_links import CONFIRM_PREFIX
from tests.support.documents import LOGIN, REGISTER, REPORT_JOB, WATCH_JOB
from tests.support.factories import add_product, completed_order, request_report
from tests.support.logged import logged_service
from tests.support.receivers import Inbox, receiving, smtp_server
from tests.support.stacks import StackFactory, fast_recovery
from tests.support.waiting import eventually

SMTP_USERNAME = "reports-mailer"
SMTP_PASSWORD = secrets.token_urlsafe(16)
CONFIRM_LINK = re.compile(re.escape(CONFIRM_PREFIX) + r"([^\s\"'<>]+)")


def authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    assert isinstance(auth_data, LoginPassword)
    if (auth_data.login, auth_data.password) == (SMTP_USERNAME.encode(), SMTP_PASSWORD.encode()):
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


async def finished_and_delivered(client: ReportsClient, job_id: str) -> dict[str, Any]:
    found = await eventually(
        lambda: client.execute(REPORT_JOB, {"id": job_id}),
        lambda answer: (
            answer["reportJob"]["status"] == "COMPLETED"
            and all(d["status"] == "SENT" for d in answer["reportJob"]["deliveries"])
        ),
        what="the report completed and delivered",
        timeout=60,
    )
    job: dict[str, Any] = found["reportJob"]
    return job


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_no_secret_reaches_any_log_line(
    stack: StackFactory, tmp_path: Path, log_format: str
) -> None:
    inbox = Inbox()
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    password = secrets.token_urlsafe(12)
    async with (
        smtp_server(inbox, authenticator=authenticate, auth_require_tls=False) as (host, port),
        receiving() as receiver,
    ):
        lab = await stack(
            f"log-secrets-{log_format}",
            **fast_recovery(
                log_format=log_format,
                smtp_host=host,
                smtp_port=port,
                smtp_starttls=False,
                smtp_username=SMTP_USERNAME,
                smtp_password=SMTP_PASSWORD,
            ),
        )
        with logged_service(lab, tmp_path, "DEBUG") as service:
            url, api_log, worker_log = service.url, service.api_log, service.worker_log
            async with ReportsClient(url) as client:
                signed_up = await client.execute(REGISTER, {"email": email, "password": password})
                sign_up_token = signed_up["register"]["token"]
                mails = await eventually(
                    lambda: inbox.messages_to(email), bool, what="the confirmation email"
                )
                body = mails[0].get_body(("plain",))
                assert body is not None
                [confirmation] = set(CONFIRM_LINK.findall(body.get_content()))
                link = CONFIRM_PREFIX + confirmation
                assert (await client.download(link)).status_code == 200
                assert (await client.confirm_sign_up(link, password)).status_code == 200

                logged_in = await client.execute(LOGIN, {"email": email, "password": password})
                client.token = token = logged_in["login"]["token"]
                webhook_secret = (await client.execute("{ me { webhookSecret } }"))["me"][
                    "webhookSecret"
                ]
                await add_product(client, "TEA-1", "Green tea", "4.20")
                await completed_order(client, "Zoe", "zoe@example.com", [("TEA-1", 3)])
                job = await request_report(
                    client,
                    kind="ORDERS",
                    format="CSV",
                    deliverTo=[{"email": email}, {"webhookUrl": receiver.url()}],
                )
                # The token over a WebSocket (its connection_init), as the web app sends it.
                async for event in client.subscribe(
                    WATCH_JOB, {"id": job["id"]}, protocol=GRAPHQL_TRANSPORT_WS
                ):
                    if event["reportJob"]["status"] == "COMPLETED":
                        break
                job = await finished_and_delivered(client, job["id"])
                download = job["downloadUrl"]
                assert (await client.download(download)).status_code == 200
                assert (await client.download(download + "?inline=1")).status_code == 200
                [hook] = receiver.requests
                hook_link = json.loads(hook.body)["data"]["downloadUrl"]

    assert inbox.logins[-1] == SMTP_USERNAME.encode(), "the email went with the SMTP login"
    found_secrets = {
        "the sign-up's token": sign_up_token,
        "the sign-in token": token,
        "the password": password,
        "the confirmation link's token": confirmation,
        "the download link's token": download.rsplit(DOWNLOADS_PREFIX, 1)[1],
        "the webhook's download link's token": hook_link.rsplit(DOWNLOADS_PREFIX, 1)[1],
        "the webhook secret": webhook_secret,
        "the webhook secret's key": webhook_secret.removeprefix("whsec_"),
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "SECRET_KEY": lab.secret_key,
    }
    for log in (api_log, worker_log):
        lines = log.read_text().splitlines()
        assert len(lines) > 20, f"{log.name} logged at DEBUG"
        if log_format == "json":
            assert all(json.loads(line) for line in lines)
        for number, line in enumerate(lines, 1):
            for name, secret in found_secrets.items():
                assert secret not in line, f"{name} in {log.name} line {number}: {line}"
    api_text = api_log.read_text()
    assert f"{DOWNLOADS_PREFIX}<redacted>" in api_text, "the access log names the request"
    assert "TEXT [" in api_text, "WebSocket frames are logged at DEBUG, without their payload"
