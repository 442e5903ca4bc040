"""How the API and the workers log: one handler on stderr, as JSON (one object per line,
for log collectors) or as text (for people), every line redacted and carrying what it is
about (models/log_context.py).

A hand-written JSON formatter rather than python-json-logger: the fields are few and
fixed, the context comes from our own filter, and every value must be redacted before
it is serialised (a JSON-escaped quote would end a redaction pattern early); what the
library adds (field renaming, configurable reserved attributes) we would not use.
"""

from __future__ import annotations

import json
import logging
import logging.config
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from models.log_context import (
    ACCOUNT_ID,
    ATTEMPT,
    CONTEXT_FIELDS,
    JOB_ID,
    REQUEST_ID,
    current_context,
)
from models.settings import Settings
from service.log_redaction import RedactSecrets

# Libraries whose lines quote what passes through them, kept at this level or above
# whatever LOG_LEVEL says: tortoise's DEBUG lines carry every query's parameters
# (password hashes, webhook secrets, customers' orders); httpx's INFO lines every URL
# a webhook is sent to, query (a receiver's token) included, which the outbox logs
# without its query itself.
_QUOTING_LOGGERS = {
    "tortoise.db_client": logging.INFO,
    "httpx": logging.WARNING,
    # At DEBUG, botocore logs each request's canonical form and signature: enough to
    # rebuild a presigned download URL.
    "botocore": logging.INFO,
    "aiobotocore": logging.INFO,
}
# Text mode's compact names for the context fields.
_SHORT_NAMES = {REQUEST_ID: "request", JOB_ID: "job", ACCOUNT_ID: "account", ATTEMPT: "attempt"}


class AddLogContext(logging.Filter):
    """Copies the job or request being served onto each record, as attributes named after
    the context fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current_context().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def _context_of(record: logging.LogRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in CONTEXT_FIELDS if hasattr(record, name)}


class JsonFormatter(logging.Formatter):
    """One JSON object per record on one line: timestamp (ISO 8601, UTC), level, logger,
    message, the context fields, and the traceback (`exception`) or stack (`stack`)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context_of(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message [job=… account=… attempt=2]`, the traceback below."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        context = _context_of(record)
        if not context:
            return line
        shown = " ".join(f"{_SHORT_NAMES[name]}={value}" for name, value in context.items())
        return f"{line} [{shown}]"


def logging_config(settings: Settings) -> dict[str, Any]:
    """The `logging.config.dictConfig` set-up of a process: every line (uvicorn's too) through
    one handler on stderr. uvicorn applies it again in each process it starts itself."""
    level = settings.log_level.upper()
    secrets = [
        getattr(settings, f.name)
        for f in fields(settings)
        if f.type == "str" and ("secret" in f.name or "password" in f.name)
    ]
    formatter = JsonFormatter if settings.logs_as_json else TextFormatter
    floors = {
        name: max(logging.getLevelNamesMapping()[level], floor)
        for name, floor in _QUOTING_LOGGERS.items()
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": _dotted(AddLogContext)},
            "redact": {"()": _dotted(RedactSecrets), "secrets": secrets},
        },
        "formatters": {"line": {"()": _dotted(formatter)}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["context", "redact"],
                "formatter": "line",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {name: {"level": floor} for name, floor in floors.items()},
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))


def _dotted(factory: type) -> str:
    return f"{factory.__module__}.{factory.__qualname__}"
