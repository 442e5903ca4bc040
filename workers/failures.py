"""How the report task classifies what went wrong: retry it, or fail at once."""

from __future__ import annotations

import random

from models.failures import is_connection_failure, is_storage_failure


class PermanentReportError(Exception):
    """Trying again cannot help (bad parameters, a report too big for its format)."""


class SimulatedStorageError(OSError):
    """Raised by the test-only fault injection setting, as a failing disk would."""


def is_transient(exc: BaseException) -> bool:
    return is_connection_failure(exc) or is_storage_failure(exc)


def describe_transient(exc: BaseException) -> str:
    """What a user may be told: the kind of fault, never paths or driver text."""
    if is_connection_failure(exc):
        return "Lost the connection to the database or queue"
    return "The report file could not be written"


def gave_up(error: str, attempts: int) -> str:
    """The final error of a job whose attempts all failed."""
    return f"{error}; gave up after {attempts} attempt{'' if attempts == 1 else 's'}."


def retry_delay(attempt: int, base_seconds: float, max_seconds: float) -> float:
    """Exponential backoff with jitter: about base * 2**(attempt-1), within ±20 %."""
    delay: float = min(max_seconds, base_seconds * 2 ** max(attempt - 1, 0))
    return delay * random.uniform(0.8, 1.2)
