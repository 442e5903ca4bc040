"""Raw graphql-transport-ws connections, for tests of the handshake itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin, Subprotocol


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def socket(
    base_url: str, payload: dict[str, str], *, origin: str | None = None
) -> AsyncIterator[ClientConnection]:
    """A WebSocket to /graphql that has sent `connection_init` with `payload`."""
    url = base_url.replace("http", "ws", 1) + "/graphql"
    async with websockets.connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        origin=Origin(origin) if origin else None,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


async def answer(ws: ClientConnection, timeout: float = 10) -> str | int | None:
    """The server's next message type, or its close code if it closed instead."""
    try:
        message: str = json.loads(await asyncio.wait_for(ws.recv(), timeout))["type"]
        return message
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
