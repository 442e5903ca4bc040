"""A refused WebSocket says why, on both protocols, as the gql client library shows it.

graphql-transport-ws: gql raises TransportConnectionFailed, caused by the
websockets library's ConnectionClosedError carrying the close code and reason.
Legacy graphql-ws: gql raises TransportServerError quoting the
`connection_error` payload; the socket then closes with the same code and reason.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from gql import Client
from gql.transport.exceptions import TransportConnectionFailed, TransportServerError
from gql.transport.websockets import WebsocketsTransport

from client.graphql_client import ReportsClient
from schema.errors import ErrorCode
from schema.http import refusals
from service.processes import running_api
from tests.support.clients import register, token_of
from tests.support.private_postgres import on_private_postgres
from tests.support.sockets import answer, bearer, socket, until_closed, ws_url
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.waiting import eventually

TRANSPORT_WS = WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL
LEGACY_WS = WebsocketsTransport.APOLLO_SUBPROTOCOL
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]
LOGOUT = "mutation { logout }"
# The graphql-ws npm client (and Apollo's GraphQLWsLink on it) gives up at once
# on these; it retries 4403 and 1013 (graphql-ws src/client.ts, shouldRetryConnectOrThrow).
NOT_RETRIED_BY_GRAPHQL_WS = {4400, 4401, 4406, 4409, 4429, 4500}
RETRIED_BY_GRAPHQL_WS = {1013, 4403}
RATE_LIMIT_WINDOW_SECONDS = 60


async def connect(
    base_url: str, subprotocol: str, init_payload: dict[str, str]
) -> Exception | None:
    """Open a gql session as a user would; the exception gql raised, or None if it connected."""
    transport = WebsocketsTransport(
        url=ws_url(base_url), init_payload=init_payload, subprotocols=[subprotocol]
    )
    try:
        async with Client(transport=transport):
            return None
    except Exception as exc:
        return exc


def close_frame(refused: Exception | None) -> tuple[int, str]:
    """The close code and reason behind gql's graphql-transport-ws refusal."""
    assert isinstance(refused, TransportConnectionFailed), refused
    closed = refused.__cause__
    assert isinstance(closed, websockets.ConnectionClosedError), closed
    assert closed.rcvd is not None
    return closed.rcvd.code, closed.rcvd.reason


def connection_error(refused: Exception | None) -> str:
    """The connection_error payload behind gql's legacy-protocol refusal, as gql quotes it."""
    assert isinstance(refused, TransportServerError), refused
    return str(refused)


async def legacy_close(base_url: str, init_payload: dict[str, str]) -> tuple[Any, int, str]:
    """The legacy protocol's raw answer: the connection_error payload, then the close frame."""
    async with socket(base_url, init_payload, protocol=LEGACY_WS) as ws:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert message["type"] == "connection_error"
    assert closed.value.rcvd is not None
    return message["payload"], closed.value.rcvd.code, closed.value.rcvd.reason


async def revoked_token(base_url: str) -> str:
    async with ReportsClient(base_url) as client:
        await register(client)
        token = client.token
        await client.execute(LOGOUT)
    assert token is not None
    return token


def test_every_refusal_fits_a_close_frame_and_is_not_retried_in_a_loop() -> None:
    signed_out = (refusals.TOKEN_EXPIRED, refusals.SESSION_REVOKED)
    for refusal in (
        refusals.NO_TOKEN,
        refusals.BAD_TOKEN,
        refusals.UNAVAILABLE,
        refusals.rate_limited(RATE_LIMIT_WINDOW_SECONDS),
        refusals.ALREADY_INITIALISED,
        refusals.not_understood("a subscribe payload must be an object with a query"),
        *signed_out,
    ):
        assert len(refusal.reason.encode()) <= refusals.MAX_CLOSE_REASON_BYTES
        assert refusal.reason.startswith(f"{refusal.code.value}: ")
    for refused_by_the_client in (
        refusals.NO_TOKEN,
        refusals.BAD_TOKEN,
        refusals.rate_limited(1),
        refusals.ALREADY_INITIALISED,
        *signed_out,
    ):
        assert refused_by_the_client.close_code in NOT_RETRIED_BY_GRAPHQL_WS
    assert {refusal.code for refusal in signed_out} == {ErrorCode.UNAUTHENTICATED}
    assert refusals.UNAVAILABLE.close_code in RETRIED_BY_GRAPHQL_WS
    with pytest.raises(AssertionError):
        refusals.Refusal(4400, ErrorCode.BAD_USER_INPUT, "é" * 60)


@pytest.mark.parametrize("init_payload", [{}, {"authorization": ""}, {"Authorization": "Basic x"}])
async def test_a_missing_token_is_closed_4401_sign_in_first(
    api_url: str, init_payload: dict[str, str]
) -> None:
    code, reason = close_frame(await connect(api_url, TRANSPORT_WS, init_payload))
    assert code == 4401
    assert reason.startswith("UNAUTHENTICATED: sign in first")
    assert '"Authorization": "Bearer <token>"' in reason

    shown = connection_error(await connect(api_url, LEGACY_WS, init_payload))
    assert "'code': 'UNAUTHENTICATED'" in shown
    assert "sign in first" in shown
    payload, code, reason = await legacy_close(api_url, init_payload)
    assert payload == refusals.NO_TOKEN.payload
    assert (code, reason) == (4401, refusals.NO_TOKEN.reason)


async def test_a_bad_or_revoked_token_is_closed_4401_sign_in_again(api_url: str) -> None:
    for token in ("not-a-token", await revoked_token(api_url)):
        init_payload = {"Authorization": f"Bearer {token}"}
        code, reason = close_frame(await connect(api_url, TRANSPORT_WS, init_payload))
        assert (code, reason) == (
            4401,
            "UNAUTHENTICATED: token invalid, expired or revoked; sign in again",
        )
        shown = connection_error(await connect(api_url, LEGACY_WS, init_payload))
        assert "'code': 'UNAUTHENTICATED'" in shown
        assert "token invalid, expired or revoked; sign in again" in shown


async def test_too_many_connections_are_closed_4429_retry_in(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    limited = await stack("ws-refusals-rate", rate_limit_websockets=1)
    for protocol in PROTOCOLS:
        client = await signed_in_client(limited)
        url = client.base_url
        init_payload = {"Authorization": f"Bearer {client.token}"}
        assert await connect(url, protocol, init_payload) is None
        refused = await connect(url, protocol, init_payload)
        if protocol == TRANSPORT_WS:
            code, reason = close_frame(refused)
            assert code == 4429
            retry_in = reason.removeprefix("RATE_LIMITED: retry in ").removesuffix(" s")
        else:
            shown = connection_error(refused)
            assert "'code': 'RATE_LIMITED'" in shown
            retry_in = shown.split("'retryAfter': ")[1].split("}")[0]
        assert 1 <= int(retry_in) <= RATE_LIMIT_WINDOW_SECONDS


async def test_an_unreachable_database_is_closed_1013_try_again(stack: StackFactory) -> None:
    async with on_private_postgres(await stack("ws-refusals-db")) as (lab, postgres):
        with running_api(lab) as url:
            async with ReportsClient(url) as client:
                await register(client)
                init_payload = {"Authorization": f"Bearer {client.token}"}
            await asyncio.to_thread(postgres.stop)
            code, reason = close_frame(await connect(url, TRANSPORT_WS, init_payload))
            assert (code, reason) == (1013, "SERVICE_UNAVAILABLE: try again shortly")
            shown = connection_error(await connect(url, LEGACY_WS, init_payload))
            assert "'code': 'SERVICE_UNAVAILABLE'" in shown
            await asyncio.to_thread(postgres.start)
            # The retry the close code invites succeeds once the database is back.
            await eventually(
                lambda: connect(url, TRANSPORT_WS, init_payload),
                lambda refused: refused is None,
                what="a connection to be accepted once the database is back",
            )


async def test_a_refusal_is_per_socket(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    """A socket refused does not mark the next one, on either protocol."""
    token = token_of(await signed_in_client(api_url))
    for protocol in PROTOCOLS:
        assert await connect(api_url, protocol, {}) is not None
        assert await connect(api_url, protocol, {"Authorization": f"Bearer {token}"}) is None


async def test_a_second_connection_init_is_refused_on_both_protocols(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    """graphql-transport-ws forbids it (Strawberry closes 4429); the legacy protocol does
    not, and a second connect would count, watch and keep alive the socket twice."""
    token = token_of(await signed_in_client(api_url))
    init = {"type": "connection_init", "payload": bearer(token)}
    for protocol in PROTOCOLS:
        async with socket(api_url, bearer(token), protocol=protocol) as ws:
            assert await answer(ws) == "connection_ack"
            await ws.send(json.dumps(init))
            told, closed = await until_closed(ws)
        assert closed is not None
        assert closed.code == 4429
        if protocol == LEGACY_WS:
            errors = [message for message in told if message["type"] == "connection_error"]
            assert errors == [
                {"type": "connection_error", "payload": refusals.ALREADY_INITIALISED.payload}
            ]
            assert closed.reason == refusals.ALREADY_INITIALISED.reason


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_socket_that_never_says_who_it_is_is_closed_4408(
    stack: StackFactory, protocol: str
) -> None:
    silent = await stack(f"ws-init-timeout-{protocol}", connection_init_timeout_seconds=1)
    with running_api(silent) as url:
        async with socket(url, None, protocol=protocol) as ws:
            told, closed = await until_closed(ws)
    assert told == []
    assert closed is not None
    assert (closed.code, closed.reason) == (4408, "BAD_USER_INPUT: no connection_init within 1 s")


async def test_sockets_count_per_address_from_the_handshake_on(stack: StackFactory) -> None:
    """Before any connection_init, so a client without an account cannot hold sockets open."""
    limited = await stack("ws-per-address", rate_limit_sockets_per_address=2)
    with running_api(limited) as url:
        for protocol in PROTOCOLS:
            # Answered (4401, no token) only once the socket has been counted.
            async with socket(url, {}, protocol=protocol) as counted:
                _, refused = await until_closed(counted)
                assert refused is not None and refused.code == 4401
        async with socket(url, None, protocol=LEGACY_WS) as ws:
            _, closed = await until_closed(ws)
    assert closed is not None
    assert closed.code == 4429 and closed.reason.startswith("RATE_LIMITED: retry in ")
