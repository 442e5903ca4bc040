"""Waiting for a condition instead of sleeping: one wait for a job's state, one for anything else.

Both poll, and both fail with what they waited for and the last thing they saw.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from client.graphql_client import ReportsClient
from models.report_jobs import TERMINAL_STATUSES, JobStatus
from tests.support.documents import REPORT_JOB

T = TypeVar("T")

POLL_SECONDS = 0.05
# Enough of a last state to tell why a wait failed, not a page of it.
SHOWN_CHARS = 600


@overload
async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool],
    *,
    what: str,
    timeout: float = ...,
    shown: Callable[[T], object] = ...,
) -> T: ...


@overload
async def eventually(
    probe: Callable[[], T],
    until: Callable[[T], bool],
    *,
    what: str,
    timeout: float = ...,
    shown: Callable[[T], object] = ...,
) -> T: ...


async def eventually(
    probe: Callable[[], Any],
    until: Callable[[Any], bool],
    *,
    what: str,
    timeout: float = 10,
    shown: Callable[[Any], object] = repr,
) -> Any:
    """What `probe` returns once `until` holds of it, probing every POLL_SECONDS.

    Fails after `timeout` seconds, naming `what` it waited for and the last value seen
    (as `shown` renders it).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if until(value):
            return value
        if time.monotonic() >= deadline:
            last = str(shown(value))
            if len(last) > SHOWN_CHARS:
                last = last[:SHOWN_CHARS] + "..."
            raise AssertionError(f"waited {timeout:g} s for {what}; last seen: {last}")
        await asyncio.sleep(POLL_SECONDS)


Job = dict[str, Any]


@dataclass(frozen=True)
class JobState:
    """A state to wait for a job to reach, and how to say it in a timeout's message."""

    description: str
    holds: Callable[[Job], bool]

    def __call__(self, job: Job) -> bool:
        return self.holds(job)


FINISHED = JobState("a terminal status", lambda job: JobStatus(job["status"]) in TERMINAL_STATUSES)


def status_is(status: JobStatus) -> JobState:
    return JobState(f"status {status}", lambda job: job["status"] == status)


def progress_at_least(percent: int) -> JobState:
    return JobState(f"progress >= {percent}", lambda job: job["progress"] >= percent)


def summary(job: Job | None) -> str:
    """The fields that tell where a job stands."""
    if job is None:
        return "no such job"
    fields = ("status", "progress", "attempts", "message", "error", "version")
    return ", ".join(f"{name}={job.get(name)!r}" for name in fields)


async def job(client: ReportsClient, job_id: str) -> Job:
    """The job as reportJob answers now."""
    found: Job = (await client.execute(REPORT_JOB, {"id": job_id}))["reportJob"]
    return found


async def wait_for_job(
    client: ReportsClient, job_id: str, until: JobState = FINISHED, timeout: float = 60
) -> Job:
    """The job once `until` holds (by default, once it is terminal), polled as a client
    would poll reportJob."""
    return await eventually(
        lambda: job(client, job_id),
        lambda found: found is not None and until(found),
        what=f"job {job_id} to reach {until.description}",
        timeout=timeout,
        shown=summary,
    )
