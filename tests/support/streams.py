"""Subscriptions as tests watch them: events collected in the background, from the moment the
API holds the subscription (GET /health counts them), never after a guessed sleep."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from client.graphql_client import GRAPHQL_TRANSPORT_WS, Protocol, ReportsClient
from tests.support.documents import WATCH_JOBS
from tests.support.waiting import Job, JobState, eventually

Event = dict[str, Any]


async def health(base_url: str) -> dict[str, Any]:
    """GET /health of the API at `base_url`."""
    async with httpx.AsyncClient() as http:
        body: dict[str, Any] = (await http.get(f"{base_url}/health")).json()
        return body


async def subscriptions_held(base_url: str) -> int:
    held: int = (await health(base_url))["subscriptions"]
    return held


async def wait_for_subscriptions(base_url: str, count: int, timeout: float = 10) -> int:
    """Wait until the API holds exactly `count` subscriptions; how many it holds."""
    return await eventually(
        lambda: subscriptions_held(base_url),
        lambda held: held == count,
        what=f"the API to hold {count} subscriptions",
        timeout=timeout,
    )


async def subscription_opened(
    base_url: str, held_before: int, stream: asyncio.Task[Any], timeout: float = 10
) -> None:
    """Wait until the API holds one more subscription than `held_before` (counting from fewer,
    should others close meanwhile), or `stream` has already completed; its error if it failed."""
    lowest = held_before

    async def opened() -> bool:
        nonlocal lowest
        if stream.done():
            stream.result()
            return True
        held = await subscriptions_held(base_url)
        lowest = min(lowest, held)
        return held > lowest

    await eventually(
        opened,
        bool,
        what=f"the API to hold a new subscription (it held {held_before} before)",
        timeout=timeout,
    )


class Stream:
    """One subscription's events (each the data under its one root field), in arrival order."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.task: asyncio.Task[None] | None = None

    def of(self, job_id: str) -> list[Event]:
        return [event for event in self.events if event["id"] == job_id]

    def _arrived(self) -> list[Event]:
        """The events so far; raises the stream's error if it failed."""
        if self.task is not None and self.task.done() and not self.task.cancelled():
            self.task.result()
        return self.events

    async def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 30) -> Event:
        """The first event for which `predicate` holds, once it has arrived."""
        found = await eventually(
            lambda: next((event for event in self._arrived() if predicate(event)), None),
            lambda event: event is not None,
            what="an event that matches",
            timeout=timeout,
            shown=lambda _: self.events[-3:],
        )
        assert found is not None
        return found

    async def wait_for_job(self, job_id: str, state: JobState, timeout: float = 30) -> Job:
        """The first event of `job_id` in `state`, once it has arrived."""
        found = await eventually(
            lambda: next(
                (event for event in self._arrived() if event["id"] == job_id and state(event)),
                None,
            ),
            lambda event: event is not None,
            what=f"an event of job {job_id} with {state.description}",
            timeout=timeout,
            shown=lambda _: self.of(job_id)[-3:],
        )
        assert found is not None
        return found

    async def completion(self, timeout: float = 60) -> list[Event]:
        """Every event, once the server has completed the subscription."""
        assert self.task is not None
        await asyncio.wait_for(asyncio.shield(self.task), timeout)
        return self.events


@contextlib.asynccontextmanager
async def watching(
    client: ReportsClient,
    document: str = WATCH_JOBS,
    variables: dict[str, Any] | None = None,
    *,
    protocol: Protocol = GRAPHQL_TRANSPORT_WS,
) -> AsyncIterator[Stream]:
    """Collect a subscription's events while inside (by default, every change to the
    account's jobs); inside once the API holds it."""
    stream = Stream()

    async def listen() -> None:
        async for data in client.subscribe(document, variables, protocol=protocol):
            (event,) = data.values()
            stream.events.append(event)

    held_before = await subscriptions_held(client.base_url)
    stream.task = asyncio.create_task(listen())
    try:
        await subscription_opened(client.base_url, held_before, stream.task)
        yield stream
    finally:
        stream.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stream.task
