"""Every error over a WebSocket carries a code, on both protocols, as clients show it.

Errors in the document itself (it does not parse, or asks for a field that does
not exist) are sent by Strawberry's protocol handlers before anything runs;
errors raised inside a stream (another account's job, the database gone) come
with its results. The gql client library raises TransportQueryError with them
on both protocols. gql parses a document before sending it, so the syntax
error it is given is one only the server's limits find (too many tokens); the
bundled client, which sends the text as written, sends a plain one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from client.graphql_client import (
    GRAPHQL_TRANSPORT_WS,
    GRAPHQL_WS,
    GraphQLResponseError,
    ReportsClient,
)
from client.graphql_client import Protocol as ClientProtocol
from schema.http.protocol_errors import MAX_OPERATIONS_PER_CONNECTION, OPERATION_LIMIT_MESSAGE
from schema.root import MAX_TOKENS
from service.processes import running_api
from tests.support.documents import WATCH_JOB, WATCH_JOBS
from tests.support.factories import request_report
from tests.support.private_postgres import on_private_postgres
from tests.support.sockets import answer, bearer, socket, ws_url
from tests.support.stacks import SignedInClientFactory, StackFactory

TRANSPORT_WS = WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL
LEGACY_WS = WebsocketsTransport.APOLLO_SUBPROTOCOL
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]
# The bundled client's names for the same two protocols.
CLIENT_PROTOCOLS: dict[str, ClientProtocol] = {
    TRANSPORT_WS: GRAPHQL_TRANSPORT_WS,
    LEGACY_WS: GRAPHQL_WS,
}
UNKNOWN_FIELD = "subscription { reportJobs { nope } }"
UNKNOWN_ME = "query { me { nope } }"
# Parses for gql, which sets no limit; the server stops at MAX_TOKENS.
TOO_MANY_TOKENS = "subscription { reportJobs { " + "id " * (MAX_TOKENS + 100) + "} }"
UNCLOSED = "subscription { reportJobs { id }"
ANSWER_SECONDS = 10.0


@contextlib.asynccontextmanager
async def gql_session(
    base_url: str, token: str | None, subprotocol: str
) -> AsyncIterator[AsyncClientSession]:
    """A gql WebSocket session, connected (its token accepted) on the way in."""
    transport = WebsocketsTransport(
        url=ws_url(base_url),
        init_payload={"Authorization": f"Bearer {token}"},
        subprotocols=[subprotocol],
    )
    async with Client(transport=transport) as session:
        yield session


async def read_to_the_end(session: AsyncClientSession, request: GraphQLRequest) -> None:
    async for _ in session.subscribe(request):
        pass


async def first_error(
    session: AsyncClientSession, document: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The error a subscription ends with, as gql raises it."""
    request = GraphQLRequest(document, variable_values=variables)
    with pytest.raises(TransportQueryError) as caught:
        await asyncio.wait_for(read_to_the_end(session, request), ANSWER_SECONDS)
    assert caught.value.errors, caught.value
    error: dict[str, Any] = caught.value.errors[0]
    return error


async def bundled_client_reads(
    client: ReportsClient, document: str, protocol: ClientProtocol
) -> None:
    async for _ in client.subscribe(document, protocol=protocol):
        pass


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
async def test_a_document_that_fails_validation_has_its_code(
    api_url: str, signed_in_client: SignedInClientFactory, subprotocol: str
) -> None:
    client = await signed_in_client(api_url)
    async with gql_session(api_url, client.token, subprotocol) as session:
        error = await first_error(session, UNKNOWN_FIELD)
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert "nope" in error["message"]


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
async def test_a_document_that_does_not_parse_has_its_code(
    api_url: str, signed_in_client: SignedInClientFactory, subprotocol: str
) -> None:
    client = await signed_in_client(api_url)
    async with gql_session(api_url, client.token, subprotocol) as session:
        error = await first_error(session, TOO_MANY_TOKENS)
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert error["message"].startswith("Syntax Error: Document contains more than")

    with pytest.raises(GraphQLResponseError) as caught:
        await asyncio.wait_for(
            bundled_client_reads(client, UNCLOSED, CLIENT_PROTOCOLS[subprotocol]), ANSWER_SECONDS
        )
    assert caught.value.codes == ["GRAPHQL_PARSE_FAILED"]


@pytest.mark.parametrize(
    ("subprotocol", "code"),
    [(TRANSPORT_WS, "GRAPHQL_VALIDATION_FAILED"), (LEGACY_WS, "GRAPHQL_VALIDATION_FAILED")],
)
async def test_a_query_over_a_websocket_has_its_code(
    api_url: str, signed_in_client: SignedInClientFactory, subprotocol: str, code: str
) -> None:
    """graphql-transport-ws runs queries too, checked like any document; the legacy
    protocol runs subscriptions only, and says so as a fault of the document."""
    client = await signed_in_client(api_url)
    async with gql_session(api_url, client.token, subprotocol) as session:
        with pytest.raises(TransportQueryError) as caught:
            await asyncio.wait_for(session.execute(GraphQLRequest(UNKNOWN_ME)), ANSWER_SECONDS)
    assert caught.value.errors
    assert caught.value.errors[0]["extensions"] == {"code": code}


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
async def test_another_account_s_job_is_not_found(
    api_url: str, signed_in_client: SignedInClientFactory, subprotocol: str
) -> None:
    owner = await signed_in_client(api_url)
    job = await request_report(owner, kind="SALES", format="CSV")
    stranger = await signed_in_client(api_url)
    async with gql_session(api_url, stranger.token, subprotocol) as session:
        error = await first_error(session, WATCH_JOB, {"id": job["id"]})
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert error["message"] == "Report job not found"


async def test_a_stream_that_loses_its_database_ends_with_service_unavailable(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    """Raised inside the stream, and coded as its result leaves (schema/error_policy.py)."""
    async with on_private_postgres(await stack("ws-errors-db")) as (lab, postgres):
        with running_api(lab) as url:
            owner = await signed_in_client(url)
            job = await request_report(owner, kind="SALES", format="CSV")
            async with contextlib.AsyncExitStack() as sessions:
                connected = [
                    await sessions.enter_async_context(gql_session(url, owner.token, protocol))
                    for protocol in PROTOCOLS
                ]
                await asyncio.to_thread(postgres.stop)
                for session in connected:
                    error = await first_error(session, WATCH_JOB, {"id": job["id"]})
                    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
                    assert "Traceback" not in error["message"]


async def test_a_syntax_error_is_answered_on_a_socket_that_stays_open(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    """Strawberry 0.341's graphql-transport-ws handler closes the socket (4400) for a
    GraphQLSyntaxError among the errors before execution; the coded error the error
    policy puts in its place is not one, so it is sent as an `error` message instead,
    and the socket's other subscriptions go on (UPGRADING.md)."""
    client = await signed_in_client(api_url)
    async with socket(api_url, bearer(client.token)) as ws:
        assert await answer(ws) == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": UNCLOSED}}))
        async with asyncio.timeout(ANSWER_SECONDS):
            message = json.loads(await ws.recv())
        assert message["type"] == "error"
        (error,) = message["payload"]
        assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}

        await ws.send(json.dumps({"type": "ping"}))
        async with asyncio.timeout(ANSWER_SECONDS):
            assert json.loads(await ws.recv())["type"] == "pong"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_one_operation_too_many_on_a_socket_is_refused_with_a_code(
    api_url: str, protocol: str, signed_in_client: SignedInClientFactory
) -> None:
    """Strawberry sends this refusal itself, past the schema's error policy."""
    client = await signed_in_client(api_url)
    start = "subscribe" if protocol == TRANSPORT_WS else "start"
    async with socket(api_url, bearer(client.token), protocol=protocol) as ws:
        assert await answer(ws) == "connection_ack"
        for number in range(MAX_OPERATIONS_PER_CONNECTION + 1):
            subscribe = {"id": str(number), "type": start, "payload": {"query": WATCH_JOBS}}
            await ws.send(json.dumps(subscribe))
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), ANSWER_SECONDS))
            if message["type"] == "error":
                break
    assert message["id"] == str(MAX_OPERATIONS_PER_CONNECTION), "the one too many"
    payload = message["payload"]
    (error,) = payload if isinstance(payload, list) else [payload]
    assert error["message"] == OPERATION_LIMIT_MESSAGE
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
