"""Raw WebSocket connections on either protocol, for tests of the handshake and the wire."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.frames import Close
from websockets.typing import Origin, Subprotocol

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
ANSWER_SECONDS = 10.0


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ws_url(base_url: str) -> str:
    return base_url.replace("http", "ws", 1) + "/graphql"


@contextlib.asynccontextmanager
async def socket(
    base_url: str,
    payload: dict[str, str] | None,
    *,
    protocol: str = TRANSPORT_WS,
    origin: str | None = None,
) -> AsyncIterator[ClientConnection]:
    """A WebSocket to /graphql on `protocol` that has sent `connection_init` with
    `payload` (nothing, if None)."""
    async with websockets.connect(
        ws_url(base_url),
        subprotocols=[Subprotocol(protocol)],
        origin=Origin(origin) if origin else None,
    ) as ws:
        if payload is not None:
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


async def answer(ws: ClientConnection, timeout: float = ANSWER_SECONDS) -> str | int | None:
    """The server's next message type, or its close code if it closed instead."""
    try:
        message: str = json.loads(await asyncio.wait_for(ws.recv(), timeout))["type"]
        return message
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def until_closed(ws: ClientConnection) -> tuple[list[dict[str, Any]], Close | None]:
    """Every message the server sends until it closes, and its close frame if it sent one."""
    told: list[dict[str, Any]] = []
    while True:
        try:
            told.append(json.loads(await asyncio.wait_for(ws.recv(), ANSWER_SECONDS)))
        except websockets.ConnectionClosed as closed:
            return told, closed.rcvd
