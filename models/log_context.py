"""What a log line is about: the job (its account and attempt) or the HTTP request being
served, carried in context variables so every line written meanwhile names it.

Set once where the work starts (an attempt, a job's deliveries, one sweep action, a
request), and every line below it carries the fields, whichever module writes it:
asyncio copies the context into each task started from there. The logging set-up
(service/logs.py) copies them onto each record.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from uuid import UUID

# The fields a line may carry, in the order they are shown.
JOB_ID = "job_id"
ACCOUNT_ID = "account_id"
ATTEMPT = "attempt"
REQUEST_ID = "request_id"
CONTEXT_FIELDS = (REQUEST_ID, JOB_ID, ACCOUNT_ID, ATTEMPT)

_job_id: ContextVar[str | None] = ContextVar(JOB_ID, default=None)
_account_id: ContextVar[str | None] = ContextVar(ACCOUNT_ID, default=None)
_attempt: ContextVar[int | None] = ContextVar(ATTEMPT, default=None)
_request_id: ContextVar[str | None] = ContextVar(REQUEST_ID, default=None)


def set_job(job_id: UUID | str, account_id: UUID | str, attempt: int) -> None:
    """Every line written from here on in this task (and the tasks it starts) is about
    this attempt of this job. For a task that serves one job (arq runs each job's
    function in a task of its own); `about_job` for a part of a task."""
    _job_id.set(str(job_id))
    _account_id.set(str(account_id))
    _attempt.set(attempt)


@contextlib.contextmanager
def about_job(job_id: UUID | str, account_id: UUID | str, attempt: int) -> Iterator[None]:
    """Every line written inside is about this attempt of this job."""
    tokens = (
        _job_id.set(str(job_id)),
        _account_id.set(str(account_id)),
        _attempt.set(attempt),
    )
    try:
        yield
    finally:
        _attempt.reset(tokens[2])
        _account_id.reset(tokens[1])
        _job_id.reset(tokens[0])


def set_request_id(request_id: str) -> None:
    """Every line written from here on in this task (and the tasks it starts) is about
    this request. Not reset: the server runs each connection's requests in a task of
    its own, and writes its own lines about a request (an unhandled error) after the
    app has returned."""
    _request_id.set(request_id)


def current_context() -> dict[str, str | int]:
    """The fields set here and now, by name."""
    values: dict[str, str | int | None] = {
        REQUEST_ID: _request_id.get(),
        JOB_ID: _job_id.get(),
        ACCOUNT_ID: _account_id.get(),
        ATTEMPT: _attempt.get(),
    }
    return {name: value for name, value in values.items() if value is not None}
