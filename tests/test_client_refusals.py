"""The bundled client says why the server refused or ended its subscription, on both protocols.

A refusal or a sign-out is a GraphQLResponseError whose `codes` a caller can
branch on, with `retryAfter` where the server gives one: read from the close
frame's `CODE: message` reason (graphql-transport-ws, and a legacy socket
closed mid-stream) or the legacy protocol's `connection_error` payload.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from client.graphql_client import (
    GRAPHQL_TRANSPORT_WS,
    GRAPHQL_WS,
    GraphQLResponseError,
    Protocol,
    ReportsClient,
)
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.streams import subscriptions_held, wait_for_subscriptions

PROTOCOLS: list[Protocol] = [GRAPHQL_TRANSPORT_WS, GRAPHQL_WS]
WATCH_JOBS = "subscription { reportJobs { id status } }"
LOGOUT = "mutation { logout }"
RATE_LIMIT_WINDOW_SECONDS = 60
ANSWER_SECONDS = 10.0


async def read_all(client: ReportsClient, protocol: Protocol) -> list[Any]:
    return [event async for event in client.subscribe(WATCH_JOBS, protocol=protocol)]


async def refused(client: ReportsClient, protocol: Protocol) -> GraphQLResponseError:
    """What the client raises when its subscription is refused or ended."""
    with pytest.raises(GraphQLResponseError) as caught:
        await asyncio.wait_for(read_all(client, protocol), ANSWER_SECONDS)
    return caught.value


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_refused_token_is_unauthenticated(api_url: str, protocol: Protocol) -> None:
    async with ReportsClient(api_url) as client:
        missing = await refused(client, protocol)
        assert missing.codes == ["UNAUTHENTICATED"]
        assert str(missing).startswith("sign in first")

        client.token = "not-a-token"
        bad = await refused(client, protocol)
        assert bad.errors == [
            {
                "message": "token invalid, expired or revoked; sign in again",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]


async def test_too_many_connections_are_rate_limited_with_retry_after(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    limited = await stack("client-refusals-rate", rate_limit_websockets=1)
    for protocol in PROTOCOLS:
        client = await signed_in_client(limited)
        url = client.base_url
        first = asyncio.create_task(read_all(client, protocol))
        await wait_for_subscriptions(url, 1)
        second = await refused(client, protocol)
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        await wait_for_subscriptions(url, 0)
        assert second.codes == ["RATE_LIMITED"]
        retry_after = second.errors[0]["extensions"]["retryAfter"]
        assert isinstance(retry_after, int)
        assert 1 <= retry_after <= RATE_LIMIT_WINDOW_SECONDS
        assert str(second) == f"retry in {retry_after} s"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_signing_out_ends_the_subscription_saying_why(
    api_url: str, protocol: Protocol, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(api_url)
    held = await subscriptions_held(api_url)
    stream = asyncio.create_task(read_all(client, protocol))
    await wait_for_subscriptions(api_url, held + 1)
    await client.execute(LOGOUT)
    with pytest.raises(GraphQLResponseError) as caught:
        await asyncio.wait_for(stream, ANSWER_SECONDS)
    assert caught.value.errors == [
        {
            "message": "session revoked; sign in again",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
