"""Exit codes scripts can rely on, and the failure each one stands for."""

from __future__ import annotations

from enum import IntEnum

from client.errors import RateLimited, ReportsError, Unauthenticated, Unreachable


class ExitCode(IntEnum):
    DONE = 0
    # The job FAILED or was CANCELLED (a finished command otherwise succeeded).
    JOB_NOT_COMPLETED = 1
    # Bad arguments, or input the service refused (BAD_USER_INPUT, NOT_FOUND, ...).
    USAGE = 2
    # Not signed in, or the token was refused.
    SIGNED_OUT = 3
    # The service did not answer, or cannot serve now.
    UNREACHABLE = 4
    RATE_LIMITED = 5
    INTERRUPTED = 130


class UsageError(Exception):
    """The command cannot run as asked; the message says what to give instead."""


def exit_code_of(error: ReportsError) -> ExitCode:
    if isinstance(error, Unauthenticated):
        return ExitCode.SIGNED_OUT
    if isinstance(error, Unreachable) or error.code == "SERVICE_UNAVAILABLE":
        return ExitCode.UNREACHABLE
    if isinstance(error, RateLimited):
        return ExitCode.RATE_LIMITED
    return ExitCode.USAGE
