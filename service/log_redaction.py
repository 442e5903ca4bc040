"""Secrets never reach a log line: sign-in tokens, signed links (a download's token is the
right to fetch the file, a confirmation's the right to confirm a sign-up), passwords,
webhook secrets and the service's own secrets (SECRET_KEY, SMTP_PASSWORD, ...).

uvicorn logs every request's path (its access log), its WebSocket frames at DEBUG, and
anything may quote a path or raise with a token in its message. So the one handler of
each process (service/logs.py) passes every record through `RedactSecrets`, which
rewrites its message, traceback and stack into their redacted text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from websockets.frames import Frame

from models.download_links import DOWNLOADS_PREFIX
from models.sign_up_links import CONFIRM_PREFIX

REDACTED_TOKEN = "<redacted>"
# A configured secret shorter than this is not looked for (it would match everywhere);
# SECRET_KEY must be 16 characters or more anyway.
_SHORTEST_KNOWN_SECRET = 8
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Paths whose last part is a signed token: a download, a sign-up's confirmation.
    (
        re.compile(
            "(" + "|".join(map(re.escape, (DOWNLOADS_PREFIX, CONFIRM_PREFIX))) + r")[^\s\"'?#]+"
        ),
        r"\1" + REDACTED_TOKEN,
    ),
    # Every token we sign (itsdangerous: sign-in, downloads, confirmations) and any JWT
    # starts with the base64 of '{"' and has dot-separated parts.
    (re.compile(r"eyJ[\w-]*(?:\.[\w-]+)+"), REDACTED_TOKEN),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1" + REDACTED_TOKEN),
    # Webhook signing secrets (Standard Webhooks' form).
    (re.compile(r"whsec_[A-Za-z0-9+/=]+"), REDACTED_TOKEN),
    # A password in a URL (DATABASE_URL, REDIS_URL quoted in an error).
    (re.compile(r"(://[^/\s:@]*:)[^@\s/]+@"), r"\1" + REDACTED_TOKEN + "@"),
    # A password given as a named value: JSON, GraphQL arguments, forms.
    (
        re.compile(r"""(?i)(password\\?["']?\s*[:=]\s*\\?["']?)[^"'\\\s,&)}]+"""),
        r"\1" + REDACTED_TOKEN,
    ),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """The text with every token, password and secret it holds replaced; `secrets`: values
    (the service's configured secrets) to replace wherever they appear."""
    for secret in secrets:
        text = text.replace(secret, REDACTED_TOKEN)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _without_payload(argument: object) -> object:
    """A WebSocket frame as its kind and size: its payload is the client's messages, a
    token or a password among them."""
    if isinstance(argument, Frame):
        return f"{argument.opcode.name} [{len(argument.data)} bytes]"
    return argument


_TRACEBACKS = logging.Formatter()


class RedactSecrets(logging.Filter):
    """Rewrites a record's message (its arguments merged in), traceback and stack into
    their redacted text, `secrets` (configured values) included; never drops one."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if len(s) >= _SHORTEST_KNOWN_SECRET)

    def _redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(map(_without_payload, record.args))
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Arguments that do not fit the message: the handler reports that itself.
            return True
        record.msg, record.args = self._redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True
