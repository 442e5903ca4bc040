"""What the service refused, as exceptions carrying the contract's error code.

Every error the API answers carries `extensions.code` (and, where it applies,
`field` and `retryAfter`); a refused or ended WebSocket says the same in its
close reason ("RATE_LIMITED: retry in 12 s"). Both become a ReportsError of the
code's class, so a script can catch exactly what it can act on.
"""

from __future__ import annotations

import re
from typing import Any

# How the server says why it closed a WebSocket it refused or signed out
# ("UNAUTHENTICATED: token expired; sign in again"), and when to come back
# ("RATE_LIMITED: retry in 12 s").
CLOSE_REASON = re.compile(r"(?P<code>[A-Z][A-Z_]*): (?P<message>.+)", re.DOTALL)
RETRY_IN = re.compile(r"\bretry in (?P<seconds>\d+) s\b")


class ReportsError(Exception):
    """The service refused the request; `code` is its `extensions.code`."""

    code = "ERROR"

    def __init__(
        self, message: str, *, field: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after = retry_after


class BadInput(ReportsError):
    """BAD_USER_INPUT: `field` names the input at fault; nothing was changed."""

    code = "BAD_USER_INPUT"


class Unauthenticated(ReportsError):
    """UNAUTHENTICATED: no token, a bad one, or a session that has ended: sign in."""

    code = "UNAUTHENTICATED"


class NotFound(ReportsError):
    code = "NOT_FOUND"


class Conflict(ReportsError):
    """CONFLICT: the object is not in a state that allows this (cancel a finished job)."""

    code = "CONFLICT"


class RateLimited(ReportsError):
    """RATE_LIMITED: `retry_after` says in how many seconds to try again."""

    code = "RATE_LIMITED"


class ServiceUnavailable(ReportsError):
    """SERVICE_UNAVAILABLE: the service is up but cannot serve now (its database away)."""

    code = "SERVICE_UNAVAILABLE"


class Unreachable(ReportsError):
    """The service did not answer at all: wrong URL, or it is down."""

    code = "UNREACHABLE"


class UnexpectedError(ReportsError):
    """An error the contract does not name, or a document the service refused."""


_BY_CODE: dict[str, type[ReportsError]] = {
    kind.code: kind
    for kind in (BadInput, Unauthenticated, NotFound, Conflict, RateLimited, ServiceUnavailable)
}


def error_from(message: str, extensions: dict[str, Any] | None) -> ReportsError:
    """The exception for one GraphQL error (its message and extensions)."""
    extensions = extensions or {}
    code = extensions.get("code")
    kind = _BY_CODE.get(code, UnexpectedError) if isinstance(code, str) else UnexpectedError
    error = kind(
        message,
        field=_text(extensions.get("field")),
        retry_after=_whole(extensions.get("retryAfter")),
    )
    if kind is UnexpectedError and isinstance(code, str):
        error.code = code
    return error


def error_from_close(reason: str) -> ReportsError | None:
    """The exception a WebSocket close reason (`CODE: what to do`) names, if it names one."""
    said = CLOSE_REASON.fullmatch(reason)
    if said is None:
        return None
    retry = RETRY_IN.search(said["message"])
    extensions: dict[str, Any] = {"code": said["code"]}
    if retry is not None:
        extensions["retryAfter"] = int(retry["seconds"])
    return error_from(said["message"], extensions)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) else None
