"""Real local servers standing in for what is outside the product: an SMTP server
(aiosmtpd) and an HTTP receiver of webhooks, each on a port of its own."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Inbox:
    """Accepts every message; keeps its envelope and the login it was sent under."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.logins: list[bytes | None] = []
        # When each message arrived (Unix seconds).
        self.arrivals: list[float] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        self.logins.append(session.login_data)
        self.arrivals.append(time.time())
        return "250 2.0.0 OK"

    def messages(self) -> list[EmailMessage]:
        return [parse(e.content) for e in self.envelopes if isinstance(e.content, bytes)]

    def messages_to(self, address: str) -> list[EmailMessage]:
        """What `address` received (a sign-up's confirmation goes to the account's own)."""
        return [message for message in self.messages() if message["To"] == address]

    def message(self) -> EmailMessage:
        [envelope] = self.envelopes
        assert isinstance(envelope.content, bytes)
        return parse(envelope.content)


def outbox(folder: Path, to: set[str]) -> list[EmailMessage]:
    """The messages written to a development outbox (.eml files) for any of `to`."""
    found = [parse(path.read_bytes()) for path in folder.glob("*.eml")] if folder.exists() else []
    return [message for message in found if message["To"] in to]


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def smtp_server(
    handler: Inbox, host: str = "127.0.0.1", port: int | None = None, **options: Any
) -> AsyncIterator[tuple[str, int]]:
    """A plain SMTP server (no STARTTLS offered) on its own thread; where it listens."""
    port = port or free_port(host)
    controller = Controller(
        handler, hostname=host, port=port, server_hostname="smtp.test", **options
    )
    # start() waits until the server answers; stop() joins its thread.
    await asyncio.to_thread(controller.start)
    try:
        yield host, port
    finally:
        await asyncio.to_thread(controller.stop)


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@dataclass(frozen=True)
class Reply:
    status: int = 204
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    # Take the request and never answer.
    hang: bool = False


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    # When the request had arrived whole (Unix seconds).
    arrived_at: float = field(default_factory=time.time)


@dataclass
class Receiver:
    """Answers its requests with `replies` in turn, the last one for every request after."""

    replies: list[Reply]
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    handlers: set[asyncio.Task[None]] = field(default_factory=set)

    def url(self, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}/hook"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            self.requests.append(await _read_request(reader))
            reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
            if reply.hang:
                await asyncio.Event().wait()
            writer.write(_response(reply))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client gave up; what it sent so far is recorded
        finally:
            writer.close()
            self.handlers.discard(task)


async def _read_request(reader: asyncio.StreamReader) -> Received:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *lines = head.removesuffix("\r\n\r\n").split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers = {}
    for line in lines:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, body)


def _response(reply: Reply) -> bytes:
    lines = [
        f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}",
        f"content-length: {len(reply.body)}",
        "connection: close",
        *(f"{name}: {value}" for name, value in reply.headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + reply.body


@contextlib.asynccontextmanager
async def receiving(*replies: Reply, tls: ssl.SSLContext | None = None) -> AsyncIterator[Receiver]:
    """A receiver on 127.0.0.1 and a port of its own, answering with `replies` in turn
    (204 No Content if none are given)."""
    receiver = Receiver(list(replies) or [Reply()])
    server = await asyncio.start_server(receiver.serve, "127.0.0.1", 0, ssl=tls)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        server.close()
        for handler in list(receiver.handlers):
            handler.cancel()
        await asyncio.gather(*receiver.handlers, return_exceptions=True)
        await server.wait_closed()
