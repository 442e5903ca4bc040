"""Webhook delivery against a real HTTP receiver on 127.0.0.1, signatures checked by the
Standard Webhooks reference library, and the guard against server-side request forgery."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.support.receivers import Reply, receiving
from workers.delivery.errors import DeliveryError
from workers.delivery.webhook_sender import send_webhook
from workers.delivery.webhook_signing import new_webhook_secret, signature_headers
from workers.delivery.webhook_targets import (
    UnsafeWebhookUrl,
    check_webhook_url,
    resolve_webhook_target,
)

SECRET = new_webhook_secret()
BODY = json.dumps({"type": "report.completed", "data": {"jobId": "42"}}).encode()


@contextlib.contextmanager
def port_nobody_listens_on() -> Iterator[int]:
    # Bound and kept, but not listening: connections are refused, and no other test
    # can take the port meanwhile.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # No proxy from the environment: the sender requires a direct connection.
    async with httpx.AsyncClient(trust_env=False, follow_redirects=True) as client:
        yield client


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    *,
    timeout: float = 10.0,
    development: bool = True,
    allowed_hosts: tuple[str, ...] = (),
) -> int:
    return await send_webhook(
        client,
        url=url,
        secret=SECRET,
        message_id="msg_2kq7delivery1",
        body=BODY,
        timeout=timeout,
        development=development,
        allowed_hosts=allowed_hosts,
    )


async def failure(
    client: httpx.AsyncClient,
    url: str,
    *,
    timeout: float = 10.0,
    development: bool = True,
    allowed_hosts: tuple[str, ...] = (),
) -> DeliveryError:
    with pytest.raises(DeliveryError) as raised:
        await deliver(
            client, url, timeout=timeout, development=development, allowed_hosts=allowed_hosts
        )
    return raised.value


# Signatures


async def test_a_delivery_arrives_and_standard_webhooks_verifies_it(
    client: httpx.AsyncClient,
) -> None:
    async with receiving(Reply(204)) as receiver:
        assert await deliver(client, receiver.url()) == 204

    [request] = receiver.requests
    assert (request.method, request.path, request.body) == ("POST", "/hook", BODY)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == "msg_2kq7delivery1"
    sent_at = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)
    assert abs(datetime.now(UTC) - sent_at) < timedelta(seconds=30)
    assert Webhook(SECRET).verify(request.body, request.headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(request.body.replace(b"42", b"43"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret()).verify(request.body, request.headers)


def test_signature_headers_match_the_reference_signature() -> None:
    moment = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    headers = signature_headers(SECRET, "msg_1", moment, BODY)
    assert headers["webhook-timestamp"] == str(int(moment.timestamp()))
    assert headers["webhook-signature"] == Webhook(SECRET).sign("msg_1", moment, BODY.decode())


def test_new_secrets_differ_and_sign_for_the_reference_library() -> None:
    secrets = {new_webhook_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert secret.startswith("whsec_")
        headers = signature_headers(secret, "msg_1", datetime.now(UTC), BODY)
        Webhook(secret).verify(BODY, headers)


# What the receiver answered


async def test_a_server_error_is_transient_and_shows_the_start_of_the_page(
    client: httpx.AsyncClient,
) -> None:
    page = "\x1b[31mdatabase \x00down\x1b[0m\r\n\u202e".encode()
    async with receiving(Reply(500, body=page + b"x" * 1000)) as receiver:
        error = await failure(client, receiver.url())
    assert error.reason.startswith("HTTP 500: ")
    assert not error.permanent
    assert error.retry_after is None
    snippet = error.reason.removeprefix("HTTP 500: ")
    assert snippet.startswith("[31mdatabase down [0m xxx")
    assert len(snippet) == 200
    assert SECRET not in error.reason


@pytest.mark.parametrize(("retry_after", "expected"), [("7", 7), ("999999", 3600), ("soon", None)])
async def test_retry_after_in_seconds(
    client: httpx.AsyncClient, retry_after: str, expected: float | None
) -> None:
    async with receiving(Reply(503, headers=(("Retry-After", retry_after),))) as receiver:
        error = await failure(client, receiver.url())
    assert error.reason == "HTTP 503"
    assert not error.permanent
    assert error.retry_after == expected


async def test_retry_after_as_an_http_date(client: httpx.AsyncClient) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    async with receiving(Reply(429, headers=(("Retry-After", later),))) as receiver:
        error = await failure(client, receiver.url())
    assert error.reason.startswith("HTTP 429")
    assert error.retry_after is not None
    assert 100 <= error.retry_after <= 120


async def test_gone_is_permanent(client: httpx.AsyncClient) -> None:
    async with receiving(Reply(410, body=b"no such hook")) as receiver:
        error = await failure(client, receiver.url())
    assert error.reason == "HTTP 410: no such hook"
    assert error.permanent


async def test_a_redirect_is_a_failure_and_is_not_followed(client: httpx.AsyncClient) -> None:
    async with receiving() as elsewhere:
        redirect = Reply(302, headers=(("Location", elsewhere.url()),))
        async with receiving(redirect) as receiver:
            error = await failure(client, receiver.url())
    assert error.reason == "HTTP 302 (redirects are not followed)"
    assert not error.permanent
    assert len(receiver.requests) == 1
    assert elsewhere.requests == []


# What went wrong on the way


async def test_a_receiver_that_never_answers_times_out(client: httpx.AsyncClient) -> None:
    async with receiving(Reply(hang=True)) as receiver:
        error = await failure(client, receiver.url(), timeout=0.5)
    assert error.reason == "timed out after 0.5 s"
    assert not error.permanent
    assert len(receiver.requests) == 1


async def test_nothing_listening_is_transient(client: httpx.AsyncClient) -> None:
    with port_nobody_listens_on() as port:
        error = await failure(client, f"http://127.0.0.1:{port}/hook")
    assert error.reason.startswith("could not connect: ")
    assert not error.permanent


# Server-side request forgery


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/",
        "https://10.1.2.3/",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[2002:7f00:1::]/",
        "https://100.64.0.1/",
        "https://224.0.0.1/",
        "https://0.0.0.0/",
        "https://2130706433/",
        "https://0x7f.1/",
        "https://localhost/",
        "https://LOCALHOST./",
        "https://api.localhost/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://redis:6379/",
        "https://user:pw@example.com/",
        "ftp://example.com/hook",
        "not a url",
        "https://exa mple.com/",
        "https:///hook",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_unsafe_urls_are_refused_outside_development(url: str) -> None:
    with pytest.raises(UnsafeWebhookUrl) as refused:
        check_webhook_url(url, development=False, allowed_hosts=())
    assert str(refused.value).startswith(("A webhook URL", "The webhook URL"))


def test_a_public_url_is_accepted_and_normalised() -> None:
    for url in ("https://example.com/hook", " HTTPS://Example.COM:443/hook#part "):
        assert check_webhook_url(url, development=False, allowed_hosts=()) == (
            "https://example.com/hook"
        )


def test_allowed_hosts_let_internal_receivers_through() -> None:
    assert check_webhook_url(
        "https://10.1.2.3/", development=False, allowed_hosts=("10.0.0.0/8",)
    ) == ("https://10.1.2.3/")
    assert check_webhook_url(
        "https://hooks.internal/x", development=False, allowed_hosts=("hooks.internal",)
    ) == ("https://hooks.internal/x")
    with pytest.raises(UnsafeWebhookUrl):
        check_webhook_url("https://10.1.2.3/", development=False, allowed_hosts=("11.0.0.0/8",))


def test_development_allows_local_http_but_still_checks_the_shape() -> None:
    assert check_webhook_url("http://127.0.0.1:9000/h", development=True, allowed_hosts=()) == (
        "http://127.0.0.1:9000/h"
    )
    for url in ("ftp://127.0.0.1/", "http://user:pw@127.0.0.1/", "nonsense"):
        with pytest.raises(UnsafeWebhookUrl):
            check_webhook_url(url, development=True, allowed_hosts=())


async def test_resolution_to_a_local_address_is_refused_unless_allowed() -> None:
    for url in ("https://localhost:1/x", "https://[::ffff:127.0.0.1]:1/", "https://2130706433/"):
        with pytest.raises(UnsafeWebhookUrl):
            await resolve_webhook_target(url, development=False, allowed_hosts=())
    by_name = await resolve_webhook_target(
        "https://localhost:1/x", development=False, allowed_hosts=("localhost",)
    )
    by_range = await resolve_webhook_target(
        "https://localhost:1/x", development=False, allowed_hosts=("127.0.0.0/8", "::1/128")
    )
    in_development = await resolve_webhook_target(
        "https://localhost:1/x", development=True, allowed_hosts=()
    )
    assert "127.0.0.1" in by_name
    assert by_name == by_range == in_development


async def test_a_local_receiver_gets_nothing_outside_development(
    client: httpx.AsyncClient,
) -> None:
    async with receiving() as receiver:
        for url in (
            receiver.url(),
            receiver.url("127.0.0.1", "https"),
            receiver.url("localhost", "https"),
        ):
            error = await failure(client, url, development=False)
            assert error.permanent
        assert receiver.requests == []
        assert await deliver(client, receiver.url(), development=True) == 204
    assert len(receiver.requests) == 1


# The connection goes to the address that was checked


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Self-signed certificates for the name "localhost" and for another name, neither
    with an IP address in it, made by the openssl command (Debian's, which .ci/run's
    machine has)."""
    folder = tmp_path_factory.mktemp("certificates")
    made = {}
    for name in ("localhost", "elsewhere.test"):
        key, cert = folder / f"{name}.key", folder / f"{name}.pem"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", f"/CN={name}"),
                *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
                *("-addext", f"subjectAltName=DNS:{name}", "-keyout", key, "-out", cert),
            ],
            check=True,
            capture_output=True,
        )
        made[name] = folder / f"{name}.both.pem"
        made[name].write_bytes(cert.read_bytes() + key.read_bytes())
    return made


def _server_tls(certificate: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate)
    return context


async def test_https_connects_to_the_checked_address_and_verifies_the_name(
    certificates: dict[str, Path],
) -> None:
    dialled: list[httpx.URL] = []

    async def record(request: httpx.Request) -> None:
        dialled.append(request.url)

    trust = ssl.create_default_context(cafile=certificates["localhost"])
    async with (
        httpx.AsyncClient(verify=trust, trust_env=False, event_hooks={"request": [record]}) as tls,
        receiving(tls=_server_tls(certificates["localhost"])) as receiver,
    ):
        url = receiver.url("localhost", "https")
        assert await deliver(tls, url, development=False, allowed_hosts=("localhost",)) == 204

    [request] = receiver.requests
    assert request.headers["host"] == f"localhost:{receiver.port}"
    assert Webhook(SECRET).verify(request.body, request.headers)
    assert dialled[-1].host in {"127.0.0.1", "::1"}


async def test_https_refuses_a_certificate_for_another_name(
    certificates: dict[str, Path],
) -> None:
    trust = ssl.create_default_context(cafile=certificates["elsewhere.test"])
    async with (
        httpx.AsyncClient(verify=trust, trust_env=False) as tls,
        receiving(tls=_server_tls(certificates["elsewhere.test"])) as receiver,
    ):
        error = await failure(tls, receiver.url("localhost", "https"), development=True)
    assert error.reason.startswith("could not connect: ")
    assert "CERTIFICATE_VERIFY_FAILED" in error.reason
    assert receiver.requests == []
