"""Webhook delivery of finished reports: one signed POST, to an address checked just before.

Whatever goes wrong on the way becomes a DeliveryError saying what the receiver
answered or what happened, so the outbox knows whether another try can help.
"""

from __future__ import annotations

import asyncio
import socket
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from workers.delivery.errors import DeliveryError
from workers.delivery.webhook_signing import signature_headers
from workers.delivery.webhook_targets import (
    UnsafeWebhookUrl,
    check_webhook_url,
    resolve_webhook_target,
)

# Of an error page, what the user sees in Delivery.error.
SNIPPET_CHARS = 200
# Read from the error page for that: enough for its first 200 characters.
SNIPPET_READ_BYTES = 4096
MAX_RETRY_AFTER_SECONDS = 3600.0


async def send_webhook(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    message_id: str,
    body: bytes,
    timeout: float,
    development: bool,
    allowed_hosts: tuple[str, ...],
) -> int:
    """POST `body` to `url`, signed with `secret`; the HTTP status when the receiver
    took it (2xx). Raises DeliveryError when it did not.

    The URL is checked again and its host resolved and checked here, and the request
    goes to an address that passed, so a DNS answer that changes in between (DNS
    rebinding) cannot turn it inside our network. `timeout` bounds the whole send.
    `client` must not go through a proxy or speak HTTP/2 (see _pinned_request).
    """
    try:
        async with asyncio.timeout(timeout):
            return await _check_and_send(
                client,
                url=url,
                secret=secret,
                message_id=message_id,
                body=body,
                timeout=timeout,
                development=development,
                allowed_hosts=allowed_hosts,
            )
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise DeliveryError(f"timed out after {timeout:g} s") from exc
    except httpx.TransportError as exc:
        # Dropped mid-request, or an answer that is not HTTP: maybe better next time.
        raise DeliveryError(f"the connection failed: {_detail(exc)}") from exc


async def _check_and_send(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    message_id: str,
    body: bytes,
    timeout: float,
    development: bool,
    allowed_hosts: tuple[str, ...],
) -> int:
    try:
        # Stored URLs were checked when saved, but under the settings of that day.
        target = check_webhook_url(url, development=development, allowed_hosts=allowed_hosts)
        addresses = await resolve_webhook_target(
            target, development=development, allowed_hosts=allowed_hosts
        )
    except UnsafeWebhookUrl as exc:
        raise DeliveryError(str(exc), permanent=True) from exc
    except socket.gaierror as exc:
        # A DNS outage, or a name gone for good: only another try can tell.
        raise DeliveryError(f"could not resolve the host: {exc.strerror}") from exc
    # Now rather than when the delivery was queued: receivers refuse old timestamps.
    headers = signature_headers(secret, message_id, datetime.now(UTC), body)
    refusals: list[httpx.ConnectError] = []
    for address in addresses:
        request = _pinned_request(client, httpx.URL(target), address, headers, body, timeout)
        try:
            return await _post(client, request)
        except httpx.ConnectError as exc:
            # A host with several addresses (IPv6 and IPv4) may answer on the next one.
            refusals.append(exc)
    raise DeliveryError(f"could not connect: {_detail(refusals[-1])}") from refusals[-1]


def _pinned_request(
    client: httpx.AsyncClient,
    url: httpx.URL,
    address: str,
    headers: dict[str, str],
    body: bytes,
    timeout: float,
) -> httpx.Request:
    """A request to `address`, the one checked, that the receiver still sees as for
    `url`'s host: that name in the Host header and, for https, in the TLS handshake
    (SNI) and the certificate check, through httpx's "sni_hostname" extension.

    "connection: close" keeps the pool, which files connections under the address, from
    reusing one whose certificate was checked for another name at the same address.
    Behind a proxy the name would not reach the TLS check (httpcore tunnels to the
    address), and HTTP/2 would share connections whatever the header says.
    """
    extensions: dict[str, str] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = url.raw_host.decode("ascii").removesuffix(".")
    return client.build_request(
        "POST",
        url.copy_with(host=address),
        content=body,
        headers={
            **headers,
            "host": url.netloc.decode("ascii"),
            "connection": "close",
            # The error page is read raw: a compressed one could be a decompression bomb.
            "accept-encoding": "identity",
        },
        timeout=timeout,
        extensions=extensions,
    )


async def _post(client: httpx.AsyncClient, request: httpx.Request) -> int:
    response = await client.send(request, stream=True, follow_redirects=False)
    try:
        status = response.status_code
        if response.is_success:
            return status
        if 300 <= status < 400:
            # Following one would reach a host nobody checked.
            raise DeliveryError(f"HTTP {status} (redirects are not followed)")
        snippet = await _snippet(response)
        reason = f"HTTP {status}: {snippet}" if snippet else f"HTTP {status}"
        if status == httpx.codes.GONE:
            # The receiver says the endpoint is no more.
            raise DeliveryError(reason, permanent=True)
        raise DeliveryError(reason, retry_after=_retry_after(response.headers.get("retry-after")))
    finally:
        await response.aclose()


async def _snippet(response: httpx.Response) -> str:
    """The start of the error page, on one line, without control characters (it is
    shown to a user: no terminal escapes, no bidi overrides)."""
    read = b""
    async for chunk in response.aiter_raw():
        read += chunk
        if len(read) >= SNIPPET_READ_BYTES:
            break
    text = read[:SNIPPET_READ_BYTES].decode("utf-8", errors="replace")
    printable = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(printable.split())[:SNIPPET_CHARS]


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header, a number of seconds or an HTTP date; at most
    an hour, so a receiver cannot park a delivery for good."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        moment = parsedate_to_datetime(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        # "-0000" reads as naive: an HTTP date is in GMT anyway.
        moment = moment.replace(tzinfo=UTC)
    seconds = (moment - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _detail(exc: httpx.TransportError) -> str:
    return str(exc) or type(exc).__name__
