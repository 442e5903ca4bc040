"""Subscriptions over HTTP: multipart responses for clients that ask, a coded error for the rest.

Clients are the gql library's: AIOHTTPTransport (its `subscribe` sends
`Accept: multipart/mixed;subscriptionSpec=1.0`, as Apollo Client's HttpLink
does) and WebsocketsTransport.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from redis.asyncio import Redis
from starlette.applications import Starlette

from client.graphql_client import ReportsClient
from models.accounts import AuthSession
from models.redis_keys import event_hub_client_name
from models.settings import Settings
from schema.limits.rate_limits import RateRule
from service.processes import running_api, running_worker
from tests.support.clients import MULTIPART_ACCEPT, token_of
from tests.support.documents import ME, WATCH_JOB, WATCH_JOBS
from tests.support.factories import request_report
from tests.support.sockets import answer, bearer, socket
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.waiting import eventually

# What GraphiQL's fetcher sends when it has not parsed the document yet (a
# subscription pasted and run at once): it then expects one JSON answer.
GRAPHIQL_ACCEPT = "application/json, multipart/mixed"
# Strawberry sends one at once, then one every 5 s.
HEARTBEAT = b"{}"
RELEASE_SECONDS = 5.0
LOGOUT = "mutation { logout }"
# A sign-out reaches the streams at once, in another API process through Redis:
# milliseconds, well within this.
SIGNED_OUT_STREAM_ENDS_SECONDS = 5.0
TOKEN_TTL_SECONDS = 2
SESSION_REVOKED = {
    "message": "session revoked; sign in again",
    "extensions": {"code": "UNAUTHENTICATED"},
}
TOKEN_EXPIRED = {
    "message": "token expired; sign in again",
    "extensions": {"code": "UNAUTHENTICATED"},
}


def http_session(base_url: str, token: str | None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(transport=AIOHTTPTransport(url=f"{base_url}/graphql", headers=headers))


def websocket_session(base_url: str, token: str) -> Client:
    transport = WebsocketsTransport(
        url=base_url.replace("http", "ws", 1) + "/graphql",
        init_payload={"Authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    return Client(transport=transport)


async def open_and_close(session: Client) -> None:
    async with session:
        pass


async def health(base_url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        body: dict[str, Any] = (await http.get(f"{base_url}/health")).json()
        return body


async def held_reaches(base_url: str, subscriptions: int, tasks: int | None = None) -> None:
    """Wait until the API holds `subscriptions` (and at most `tasks` tasks)."""
    await eventually(
        lambda: health(base_url),
        lambda held: (
            held["subscriptions"] == subscriptions and (tasks is None or held["tasks"] <= tasks)
        ),
        what=f"the API to hold {subscriptions} subscriptions and at most {tasks} tasks",
        timeout=RELEASE_SECONDS,
    )


@contextlib.asynccontextmanager
async def collecting(
    base_url: str, token: str, document: str, variables: dict[str, Any] | None = None
) -> AsyncIterator[tuple[list[dict[str, Any]], asyncio.Task[None]]]:
    """A multipart subscription read in the background; cancelled on the way out."""
    events: list[dict[str, Any]] = []

    async def read() -> None:
        async with http_session(base_url, token) as session:
            request = GraphQLRequest(document, variable_values=variables)
            async for data in session.subscribe(request):
                events.append(data)

    task = asyncio.create_task(read())
    try:
        yield events, task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def read_to_the_end(base_url: str, token: str | None, document: str) -> None:
    async with http_session(base_url, token) as session:
        async for _ in session.subscribe(gql(document)):
            pass


async def first_error(base_url: str, token: str | None, document: str) -> dict[str, Any]:
    """The error a multipart subscription ends with, as gql raises it."""
    with pytest.raises(TransportQueryError) as caught:
        await read_to_the_end(base_url, token, document)
    assert caught.value.errors
    error: dict[str, Any] = caught.value.errors[0]
    return error


async def ending_error(stream: asyncio.Task[dict[str, Any]]) -> dict[str, Any]:
    """The error a stream started with `first_error` ended with, once the sign-out reached it."""
    return await asyncio.wait_for(stream, timeout=SIGNED_OUT_STREAM_ENDS_SECONDS)


async def in_process_stream_errors(client: ReportsClient, token: str | None) -> list[Any]:
    """The errors of a reportJobs stream of the in-process app that must end by itself
    (the in-process transport answers only once the stream has ended)."""
    response = await asyncio.wait_for(
        client._http.post(
            "/graphql",
            json={"query": WATCH_JOBS},
            headers={"Authorization": f"Bearer {token}", "Accept": MULTIPART_ACCEPT},
        ),
        timeout=SIGNED_OUT_STREAM_ENDS_SECONDS,
    )
    parts = [
        json.loads(part.split("\r\n\r\n", 1)[1])
        for part in response.text.split("\r\n--graphql")
        if "\r\n\r\n" in part
    ]
    return [error for part in parts if part for error in part["payload"]["errors"]]


async def drop_event_hub_connections(lab: Settings) -> None:
    """Cut the API processes' event subscriptions, as a Redis restart would."""
    redis = Redis.from_url(lab.redis_url)
    try:
        hubs = event_hub_client_name(lab.channel_prefix, 0).removesuffix("0")
        for client in await redis.client_list():
            if client["name"].startswith(hubs):
                await redis.client_kill_filter(_id=client["id"])
    finally:
        await redis.aclose()


async def held_before_and_opened(
    base_url: str, token: str
) -> tuple[dict[str, Any], asyncio.Task[dict[str, Any]]]:
    """What the API held, and a reportJobs stream of `token` it now holds as well."""
    before = await health(base_url)
    stream = asyncio.create_task(first_error(base_url, token, WATCH_JOBS))
    await held_reaches(base_url, subscriptions=before["subscriptions"] + 1)
    assert not stream.done()
    return before, stream


async def test_a_job_is_watched_over_http_from_pending_to_completed(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("http-subscriptions")
    with running_api(lab) as url, contextlib.ExitStack() as workers:
        token = token_of(await signed_in_client(url))
        async with ReportsClient(url, token=token) as client:
            job = await request_report(client, kind="ORDERS", format="CSV")
        async with collecting(url, token, WATCH_JOB, {"id": job["id"]}) as (events, stream):
            await eventually(lambda: events, bool, what="the job's first state")
            assert [event["reportJob"]["status"] for event in events] == ["PENDING"]
            # No worker until the first state has arrived: the stream must carry every change.
            await asyncio.to_thread(workers.enter_context, running_worker(lab))
            await asyncio.wait_for(stream, timeout=60)
        await held_reaches(url, subscriptions=0)

    changes = [event["reportJob"] for event in events]
    statuses = [change["status"] for change in changes]
    versions = [change["version"] for change in changes]
    assert statuses[0] == "PENDING" and statuses[-1] == "COMPLETED", statuses
    assert "RUNNING" in statuses
    assert versions == sorted(set(versions)), "no repeats, never backwards"
    assert changes[-1]["downloadUrl"], "the stream ended by itself after the terminal state"


async def test_multipart_streams_through_the_middleware_with_its_headers(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    token = token_of(await signed_in_client(api_url))
    before = await health(api_url)
    async with (
        httpx.AsyncClient(base_url=api_url) as http,
        http.stream(
            "POST",
            "/graphql",
            json={"query": WATCH_JOBS},
            headers={"Authorization": f"Bearer {token}", "Accept": MULTIPART_ACCEPT},
        ) as response,
    ):
        assert response.status_code == 200
        content_type = response.headers["content-type"]
        assert content_type.startswith("multipart/mixed;boundary=graphql;subscriptionSpec=1.0")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "content-length" not in response.headers
        # The first heartbeat arrives at once: nothing between the view and the
        # client holds the body back (a buffering middleware would, until the end).
        first = await asyncio.wait_for(anext(response.aiter_raw()), timeout=3)
        assert HEARTBEAT in first
    await held_reaches(api_url, subscriptions=before["subscriptions"])


async def test_a_client_leaving_mid_stream_releases_its_subscription(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    token = token_of(await signed_in_client(api_url))
    before = await health(api_url)
    async with collecting(api_url, token, WATCH_JOBS) as (_, stream):
        await held_reaches(api_url, subscriptions=before["subscriptions"] + 1)
        assert not stream.done()
    await held_reaches(api_url, subscriptions=before["subscriptions"], tasks=before["tasks"])


@pytest.mark.parametrize("token", [None, "not-a-token"])
async def test_http_subscriptions_need_a_valid_token(api_url: str, token: str | None) -> None:
    error = await first_error(api_url, token, WATCH_JOBS)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_invalid_subscription_over_http_has_a_code(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    token = token_of(await signed_in_client(api_url))
    error = await first_error(api_url, token, "subscription { reportJobs { nope } }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_http_and_websocket_subscriptions_share_one_rate_limit(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    limited = await stack("http-subscriptions-rate", rate_limit_websockets=2)
    unknown_job = f'subscription {{ reportJob(id: "{uuid.uuid4()}") {{ id }} }}'
    with running_api(limited) as url:
        token = token_of(await signed_in_client(url))
        assert (await first_error(url, token, unknown_job))["extensions"]["code"] == "NOT_FOUND"
        await open_and_close(websocket_session(url, token))

        error = await first_error(url, token, unknown_job)
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= error["extensions"]["retryAfter"] <= 60
        with pytest.raises(TransportConnectionFailed) as refused:
            await open_and_close(websocket_session(url, token))
        assert "RATE_LIMITED: retry in" in str(refused.value.__cause__)


async def test_gql_executing_a_subscription_over_http_is_told_how_to_subscribe(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    token = token_of(await signed_in_client(api_url))
    with pytest.raises(TransportQueryError) as caught:
        await http_session(api_url, token).execute_async(gql(WATCH_JOBS))
    assert caught.value.errors
    (error,) = caught.value.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "multipart/mixed;subscriptionSpec=1.0" in error["message"]


@pytest.mark.parametrize(
    ("method", "accept"),
    [("POST", "application/json"), ("POST", GRAPHIQL_ACCEPT), ("GET", "application/json")],
)
async def test_a_subscription_asking_for_one_json_answer_gets_a_coded_error_and_no_traceback(
    user: ReportsClient, caplog: pytest.LogCaptureFixture, method: str, accept: str
) -> None:
    headers = {"Authorization": f"Bearer {user.token}", "Accept": accept}
    http = user._http
    with caplog.at_level(logging.INFO):
        if method == "GET":
            response = await http.get("/graphql", params={"query": WATCH_JOBS}, headers=headers)
        else:
            response = await http.post("/graphql", json={"query": WATCH_JOBS}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "WebSocket" in error["message"]
    assert "multipart/mixed;subscriptionSpec=1.0" in error["message"]
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert not [record for record in caplog.records if record.exc_info]


async def test_logout_ends_the_session_s_http_subscriptions_saying_why(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    token = token_of(await signed_in_client(api_url))
    before, stream = await held_before_and_opened(api_url, token)
    async with ReportsClient(api_url, token=token) as client:
        await client.execute(LOGOUT)
    assert await ending_error(stream) == SESSION_REVOKED
    await held_reaches(api_url, subscriptions=before["subscriptions"], tasks=before["tasks"])


async def test_logout_in_one_api_process_ends_the_streams_and_sockets_of_the_others(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    lab = await stack("http-subscriptions-revocation")
    with running_api(lab) as first_url, running_api(lab) as second_url:
        token = token_of(await signed_in_client(first_url))
        async with socket(second_url, bearer(token)) as ws:
            assert await answer(ws) == "connection_ack"
            before, stream = await held_before_and_opened(second_url, token)
            async with ReportsClient(first_url, token=token) as client:
                await client.execute(LOGOUT)
            assert await ending_error(stream) == SESSION_REVOKED
            assert await answer(ws, timeout=SIGNED_OUT_STREAM_ENDS_SECONDS) == 4401
            assert ws.close_reason == "UNAUTHENTICATED: session revoked; sign in again"
        await held_reaches(second_url, subscriptions=before["subscriptions"], tasks=before["tasks"])


async def test_an_expiring_token_ends_its_http_subscription(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    short = await stack("http-subscriptions-ttl", token_ttl_seconds=TOKEN_TTL_SECONDS)
    with running_api(short) as url:
        token = token_of(await signed_in_client(url))
        before, stream = await held_before_and_opened(url, token)
        error = await asyncio.wait_for(
            stream, timeout=TOKEN_TTL_SECONDS + SIGNED_OUT_STREAM_ENDS_SECONDS
        )
        assert error == TOKEN_EXPIRED
        await held_reaches(url, subscriptions=before["subscriptions"], tasks=before["tasks"])


async def test_an_http_subscription_looks_its_session_up_afresh(user: ReportsClient) -> None:
    """A token found live moments ago is trusted by queries for a few seconds (SECURITY.md),
    never by a subscription, which may outlive those seconds by days: a session signed out
    where this process did not hear of it is refused its stream."""
    account_id = (await user.execute(ME))["me"]["id"]
    # Revoked as a logout in a process whose announcement was lost would have left it.
    await AuthSession.filter(account_id=account_id).update(revoked_at=datetime.now(UTC))
    assert (await user.execute(ME))["me"]["id"] == account_id, "still remembered as live"

    (error,) = await in_process_stream_errors(user, user.token)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_logout_while_a_stream_is_being_let_in_ends_it(
    app: Starlette, user: ReportsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream's session is watched from before it is looked up: a logout landing while
    the stream is still being let in (here, while it is counted against the rate limit)
    ends it, instead of leaving it signed in until its token expires."""
    limiter = app.state.services.rate_limiter
    counting = limiter.hit
    token = user.token

    async def logout_meanwhile(rule: RateRule, subject: str) -> None:
        monkeypatch.setattr(limiter, "hit", counting)
        await user.execute(LOGOUT)
        await counting(rule, subject)

    monkeypatch.setattr(limiter, "hit", logout_meanwhile)
    assert await in_process_stream_errors(user, token) == [SESSION_REVOKED]


async def test_a_logout_whose_announcement_was_lost_ends_streams_and_sockets_once_redis_returns(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    """A process that missed a revocation while its Redis connection was away looks up
    its live connections' sessions when it is back, and ends those signed out."""
    lab = await stack("http-subscriptions-lost-revocation")
    with running_api(lab) as url:
        token = token_of(await signed_in_client(url))
        async with socket(url, bearer(token)) as ws:
            assert await answer(ws) == "connection_ack"
            _, stream = await held_before_and_opened(url, token)
            # What a logout in a process whose announcement was lost leaves behind.
            database = await asyncpg.connect(lab.database_url)
            try:
                await database.execute("UPDATE auth_session SET revoked_at = now()")
            finally:
                await database.close()
            await drop_event_hub_connections(lab)
            assert await ending_error(stream) == SESSION_REVOKED
            assert await answer(ws, timeout=SIGNED_OUT_STREAM_ENDS_SECONDS) == 4401
            assert ws.close_reason == "UNAUTHENTICATED: session revoked; sign in again"
