"""Why a live connection is refused or ended: every close code and reason, in one place.

A WebSocket is refused at connect (no token, a bad one, too many connections,
the database away, a second connect on one socket), and closed later when its
session signs out (its token expires, or its session is revoked); an HTTP
subscription is ended for the same sign-outs, its last part the Refusal as a
coded error.

Strawberry closes a graphql-transport-ws socket whose connect hook refused it
with 4403 "Forbidden", whatever the cause, and the legacy graphql-ws one with
1011 and no reason after its `connection_error`. 4403 is the one refusal the
graphql-ws npm client (and Apollo on it) retries, for about 40 s, so a client
without a token hammered the API and its user read "4403 Forbidden". Here the
connect hook records its Refusal on the socket, and the socket's adapter
(schema/http/socket_adapter.py) closes with that Refusal's code and reason
instead of Strawberry's. The adapter also refuses, by itself, a socket opened too
often from one address, one silent past its connection_init timeout, and one
sending a message neither protocol allows.

Close codes, chosen for what clients do with them: the graphql-ws client does
not retry 4401 nor 4429 (so a refused client stops and can say why), and does
retry 1013 "Try Again Later" (a database outage passes by itself).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError

from schema.errors import ApiError, ErrorCode

# RFC 6455 5.5: a control frame carries at most 125 bytes, 2 of them the close code.
MAX_CLOSE_REASON_BYTES = 123

# Refused for its token, or signed out later (its token expired, its session
# revoked): in every case the client needs a (new) token, and must not retry as it
# is. The 4400 range is the application's, and 401 reads as "sign in again".
UNAUTHENTICATED_CLOSE_CODE = 4401
# graphql-transport-ws's "Too many initialisation requests": a client that does
# not retry, and a code a client can tell from a refused token.
RATE_LIMITED_CLOSE_CODE = 4429
# RFC 6455's "Try Again Later": the refusal is the service's, not the client's.
UNAVAILABLE_CLOSE_CODE = 1013
# graphql-transport-ws's close for a message it cannot read; a client does not retry it.
BAD_MESSAGE_CLOSE_CODE = 4400
# graphql-transport-ws's close for a socket that did not send connection_init in time.
INIT_TIMEOUT_CLOSE_CODE = 4408

REFUSAL_SCOPE_KEY = "reports.refusal"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a connection is refused or ended: its close code, its error code, what to do."""

    close_code: int
    code: ErrorCode
    message: str
    retry_after_seconds: int | None = None

    def __post_init__(self) -> None:
        assert len(self.reason.encode()) <= MAX_CLOSE_REASON_BYTES, self.reason

    @property
    def reason(self) -> str:
        """The close frame's reason: the error code, then what to do."""
        return f"{self.code.value}: {self.message}"

    @property
    def payload(self) -> dict[str, object]:
        """The legacy protocol's `connection_error` payload, shaped like an error's extensions."""
        payload: dict[str, object] = {"message": self.message, "code": self.code.value}
        if self.retry_after_seconds is not None:
            payload["retryAfter"] = self.retry_after_seconds
        return payload

    @property
    def error(self) -> ApiError:
        """The same as a GraphQL error: the last part of an HTTP subscription ended this way."""
        if self.retry_after_seconds is None:
            return ApiError(self.code, self.message)
        return ApiError(self.code, self.message, retryAfter=self.retry_after_seconds)


NO_TOKEN = Refusal(
    UNAUTHENTICATED_CLOSE_CODE,
    ErrorCode.UNAUTHENTICATED,
    'sign in first, then send {"Authorization": "Bearer <token>"} in connection_init',
)
BAD_TOKEN = Refusal(
    UNAUTHENTICATED_CLOSE_CODE,
    ErrorCode.UNAUTHENTICATED,
    "token invalid, expired or revoked; sign in again",
)
UNAVAILABLE = Refusal(UNAVAILABLE_CLOSE_CODE, ErrorCode.SERVICE_UNAVAILABLE, "try again shortly")
# Signed out while connected: the connection ends (schema/auth/revocation.py).
TOKEN_EXPIRED = Refusal(
    UNAUTHENTICATED_CLOSE_CODE, ErrorCode.UNAUTHENTICATED, "token expired; sign in again"
)
SESSION_REVOKED = Refusal(
    UNAUTHENTICATED_CLOSE_CODE, ErrorCode.UNAUTHENTICATED, "session revoked; sign in again"
)


# The legacy graphql-ws protocol lets a socket send connection_init again, which
# graphql-transport-ws answers with this close code; refused the same way here.
ALREADY_INITIALISED = Refusal(
    RATE_LIMITED_CLOSE_CODE,
    ErrorCode.BAD_USER_INPUT,
    "connection_init already received; send it once per socket",
)


def init_timeout(seconds: float) -> Refusal:
    return Refusal(
        INIT_TIMEOUT_CLOSE_CODE,
        ErrorCode.BAD_USER_INPUT,
        f"no connection_init within {seconds:g} s",
    )


def not_understood(problem: str) -> Refusal:
    """A message of a shape neither protocol allows (schema/http/socket_messages.py)."""
    return Refusal(BAD_MESSAGE_CLOSE_CODE, ErrorCode.BAD_USER_INPUT, problem)


def rate_limited(retry_after_seconds: int) -> Refusal:
    return Refusal(
        RATE_LIMITED_CLOSE_CODE,
        ErrorCode.RATE_LIMITED,
        f"retry in {retry_after_seconds} s",
        retry_after_seconds,
    )


def refuse(socket: WebSocket, refusal: Refusal) -> ConnectionRejectionError:
    """The error for the connect hook to raise; the socket then closes with `refusal`."""
    socket.scope[REFUSAL_SCOPE_KEY] = refusal
    return ConnectionRejectionError(refusal.payload)


async def close_socket(socket: WebSocket, refusal: Refusal) -> None:
    """Close an accepted socket with `refusal`'s code and reason (it may be closed already)."""
    with contextlib.suppress(RuntimeError, OSError):
        await socket.close(code=refusal.close_code, reason=refusal.reason)
