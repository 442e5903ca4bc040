"""A deadline on an HTTP request's headers, which uvicorn does not have.

uvicorn closes idle keep-alive connections, but a client that connects and sends
nothing, or sends its headers a byte at a time (slowloris), holds a connection for
as long as it likes; with MAX_CONNECTIONS of them the API answers nobody. Each
request's headers (a WebSocket handshake's included) must now be complete within
REQUEST_HEADER_TIMEOUT_SECONDS of the connection opening or of the request's first
byte; past that the client is told 408 and the connection closed. Request bodies
have their own deadline, in `schema/http/middleware.py`.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_TOO_LATE = b"The request's headers came too late."
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n"
    b"\r\n%s" % (len(_TOO_LATE), _TOO_LATE)
)


def header_deadline_protocol(seconds: float) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol (its default), with the headers given `seconds`."""

    class HeaderDeadlineProtocol(HttpToolsProtocol):
        header_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._start_header_deadline()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._start_header_deadline()

        def on_headers_complete(self) -> None:
            self._cancel_header_deadline()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_deadline()
            super().connection_lost(exc)

        def _start_header_deadline(self) -> None:
            if self.header_deadline is None:
                self.header_deadline = self.loop.call_later(seconds, self._headers_too_late)

        def _cancel_header_deadline(self) -> None:
            if self.header_deadline is not None:
                self.header_deadline.cancel()
                self.header_deadline = None

        def _headers_too_late(self) -> None:
            self.header_deadline = None
            if not self.transport.is_closing():
                self.transport.write(_TIMED_OUT)
                self.transport.close()

    return HeaderDeadlineProtocol


# uvicorn hands the processes it starts (`reports api --workers N`) their protocol by
# name: a class made at run time cannot be sent to them. This name is that class, made
# in whichever process imports it, from its settings (read from the same environment).
SETTINGS_PROTOCOL = "SettingsHeaderDeadlineProtocol"
SETTINGS_PROTOCOL_PATH = f"{__name__}:{SETTINGS_PROTOCOL}"


def __getattr__(name: str) -> type[HttpToolsProtocol]:
    if name != SETTINGS_PROTOCOL:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from models.settings import get_settings

    return header_deadline_protocol(get_settings().request_header_timeout_seconds)
