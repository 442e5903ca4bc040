"""A signed-out session's HTTP subscription stream, in-process: how it ends, whatever it was doing.

Through real API processes, tests/test_http_subscriptions.py shows the whole
path (logout, another process's logout, a token expiring); here each moment a
sign-out can arrive at is chosen exactly: while the stream waits for an event,
while its client has not yet taken the last one, before it began, and not at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from strawberry.types import ExecutionResult

from schema.auth.revocation import LiveConnections
from schema.auth.sessions import Caller
from schema.http import refusals
from schema.http.signed_out_streams import until_signed_out

EVENT = ExecutionResult(data={"reportJobs": {"id": "1"}}, errors=None)
SHORT_TOKEN_SECONDS = 0.05
WAIT_SECONDS = 5.0


class Subscription:
    """A subscription's own stream: one event, then a wait for the next that never comes."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()
        self.waiting = asyncio.Event()

    async def results(self) -> AsyncGenerator[ExecutionResult, None]:
        try:
            yield EVENT
            self.waiting.set()
            await asyncio.Event().wait()
        finally:
            self.closed.set()


class Tracking:
    """A session's connection watched as the view watches it; whether the stream stopped that."""

    def __init__(self, lifetime: timedelta = timedelta(hours=1)) -> None:
        self.connections = LiveConnections()
        self.caller = Caller(uuid4(), uuid4(), datetime.now(UTC) + lifetime)
        self.connection = self.connections.watch(self.caller.session_id)

    def stream(
        self, results: AsyncGenerator[ExecutionResult, None]
    ) -> AsyncGenerator[ExecutionResult, None]:
        return until_signed_out(results, self.connection, self.caller)

    @property
    def stopped(self) -> bool:
        return self.caller.session_id not in self.connections.session_ids()

    def revoke(self) -> None:
        self.connections.end([self.caller.session_id])


async def test_a_revoked_session_s_stream_stops_waiting_and_says_why() -> None:
    tracking = Tracking()
    subscription = Subscription()
    stream = tracking.stream(subscription.results())
    assert await anext(stream) is EVENT
    waiting = asyncio.create_task(anext(stream))
    await asyncio.wait_for(subscription.waiting.wait(), WAIT_SECONDS)

    tracking.revoke()
    last = await asyncio.wait_for(waiting, WAIT_SECONDS)
    assert last.data is None
    assert last.errors == [refusals.SESSION_REVOKED.error]
    assert last.errors[0].formatted["extensions"] == {"code": "UNAUTHENTICATED"}
    assert subscription.closed.is_set(), "the subscription's own stream is closed"
    with pytest.raises(StopAsyncIteration):
        await anext(stream)
    assert tracking.stopped


async def test_a_sign_out_while_the_client_holds_an_event_ends_the_stream_next() -> None:
    tracking = Tracking()
    subscription = Subscription()
    stream = tracking.stream(subscription.results())
    assert await anext(stream) is EVENT
    tracking.revoke()
    last = await anext(stream)
    assert last.errors == [refusals.SESSION_REVOKED.error]
    assert not subscription.waiting.is_set(), "no event was waited for after the sign-out"
    assert subscription.closed.is_set()
    assert [event async for event in stream] == []
    assert tracking.stopped


async def test_an_expiring_token_ends_its_stream() -> None:
    tracking = Tracking(timedelta(seconds=SHORT_TOKEN_SECONDS))
    subscription = Subscription()
    stream = tracking.stream(subscription.results())
    errors = [event.errors async for event in stream]
    assert errors == [None, [refusals.TOKEN_EXPIRED.error]]
    assert subscription.closed.is_set()
    assert tracking.stopped


async def test_a_client_leaving_is_not_taken_for_a_sign_out() -> None:
    tracking = Tracking()
    subscription = Subscription()
    stream = tracking.stream(subscription.results())
    assert await anext(stream) is EVENT
    waiting = asyncio.create_task(anext(stream))
    await asyncio.wait_for(subscription.waiting.wait(), WAIT_SECONDS)

    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert subscription.closed.is_set()
    assert tracking.stopped


async def test_a_stream_that_ends_by_itself_is_no_longer_tracked() -> None:
    tracking = Tracking()

    async def finished() -> AsyncGenerator[ExecutionResult, None]:
        yield EVENT

    stream = tracking.stream(finished())
    assert [event async for event in stream] == [EVENT]
    assert tracking.stopped


async def test_a_session_revoked_while_its_stream_was_set_up_gets_only_the_refusal() -> None:
    """Watched from before its session was looked up, a stream whose session signs out
    before it starts is not let in to wait for an event that would never end it."""
    tracking = Tracking()
    subscription = Subscription()
    tracking.revoke()
    stream = tracking.stream(subscription.results())
    assert [event.errors async for event in stream] == [[refusals.SESSION_REVOKED.error]]
    assert tracking.stopped
