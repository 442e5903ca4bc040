"""Every Redis key and channel name the service uses, built here and nowhere else.

Ours hang off two settings: REPORTS_CHANNEL_PREFIX (events, sessions, rate
limits) and REPORTS_QUEUE (the queue and its wake-ups), so
side-by-side deployments, and test runs, never share one. arq's own names come
from arq's constants, not retyped.
"""

from __future__ import annotations

from uuid import UUID

from arq.constants import (
    health_check_key_suffix,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)


def account_channel(prefix: str, account_id: UUID | str) -> str:
    """The channel carrying every change to one account's jobs."""
    return f"{prefix}:account:{account_id}"


def account_channel_pattern(prefix: str) -> str:
    """The pattern matching every account channel under `prefix`."""
    return account_channel(prefix, "*")


def account_id_from_channel(prefix: str, channel: str) -> str:
    return channel.removeprefix(account_channel(prefix, ""))


def event_hub_client_name(prefix: str, pid: int) -> str:
    """The Redis client name of an API process's event subscription connection."""
    return f"{prefix}:events:{pid}"


def revocation_channel(prefix: str) -> str:
    """Where revoked session ids are announced, so every API process closes their sockets."""
    return f"{prefix}:sessions:revoked"


def rate_limit_key(prefix: str, rule: str, subject: str) -> str:
    """A sorted set of one subject's recent hits against one rule."""
    return f"{prefix}:rate:{rule}:{subject}"


def known_sign_in_addresses_key(prefix: str, email: str) -> str:
    """A set of the client addresses that signed in to one email's account lately."""
    return f"{prefix}:sign-in-addresses:{email}"


def wakeup_channel(queue_name: str) -> str:
    """Where every enqueue is announced, so idle workers poll at once."""
    return f"{queue_name}:wakeup"


def arq_in_progress_key(arq_job_id: str) -> str:
    """Set by the arq worker that took a job, for the job's timeout: while it exists, no
    other worker takes that job."""
    return f"{in_progress_key_prefix}{arq_job_id}"


def arq_health_check_key(queue_name: str) -> str:
    """Where an arq worker of `queue_name` writes its health line once it runs."""
    return f"{queue_name}{health_check_key_suffix}"


# What arq keeps about each of its jobs: each name is one of these and the job's id.
ARQ_JOB_KEY_PREFIXES = (job_key_prefix, in_progress_key_prefix, result_key_prefix, retry_key_prefix)
