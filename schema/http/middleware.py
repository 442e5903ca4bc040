"""HTTP hardening around the app: body size and time limits, security headers; and the
request id each request's log lines carry."""

from __future__ import annotations

import asyncio
import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.log_context import set_request_id

# GraphiQL's page loads its scripts and styles from a CDN; every other
# response is data and may load nothing at all.
_DATA_CSP = "default-src 'none'; frame-ancestors 'none'"


class _BodyRefused(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        self.status_code = status_code
        self.message = message


class BoundedRequestBody:
    """Refuse a request body over `max_bytes` with 413, before anything parses it, and
    one still incomplete `timeout_seconds` after the headers with 408 (a client
    trickling its body would otherwise hold a connection and a task for ever)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send, self._too_large())
            return
        received = 0
        body_complete = False
        response_started = False
        deadline = asyncio.get_running_loop().time() + self.timeout_seconds

        async def bounded_receive() -> Message:
            nonlocal received, body_complete
            if body_complete:
                # Past the body, receive() waits for the client to leave (a
                # subscription streamed over HTTP): no deadline on that.
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyRefused(
                    408, f"The request's body took over {self.timeout_seconds:g} s."
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
                body_complete = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracking_send)
        except _BodyRefused as refused:
            if not response_started:
                await self._refuse(scope, receive, send, refused)

    def _too_large(self) -> _BodyRefused:
        return _BodyRefused(413, f"Request body too large (the limit is {self.max_bytes} bytes).")

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, refused: _BodyRefused
    ) -> None:
        response = PlainTextResponse(
            refused.message, status_code=refused.status_code, headers={"connection": "close"}
        )
        await response(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, strict_transport: bool) -> None:
        self.app = app
        self.strict_transport = strict_transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if not headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", _DATA_CSP)
                if self.strict_transport:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


REQUEST_ID_HEADER = "X-Request-ID"
# A client's id is taken as it is if it is a short token (what proxies and tracing
# send: UUIDs, hex, base64); anything else would let a client write into the log.
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._~+/=:-]{1,128}")
# Messages that begin a response: HTTP's, a WebSocket's accept, a WebSocket's refusal.
_RESPONSE_STARTS = {"http.response.start", "websocket.accept", "websocket.http.response.start"}


class RequestIds:
    """Every HTTP request and WebSocket gets an id: the client's `X-Request-ID` if sane,
    else a new one. Each log line written while serving it carries the id, and the
    response (a WebSocket's handshake response too) returns it in `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode("latin-1"))
        if sent is not None and _SANE_REQUEST_ID.fullmatch(sent):
            request_id = sent.decode("ascii")
        else:
            request_id = uuid.uuid4().hex
        set_request_id(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] in _RESPONSE_STARTS:
                # A WebSocket's accept may carry no headers at all.
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
