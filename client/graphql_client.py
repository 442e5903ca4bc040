"""A small async client: queries and mutations over HTTP, subscriptions over WebSocket.

async with ReportsClient("http://127.0.0.1:8000") as client:
    auth = await client.execute(REGISTER, {"email": ..., "password": ...})
    client.token = auth["register"]["token"]
    async for event in client.subscribe(WATCH_JOB, {"id": job_id}):
        print(event["reportJob"]["status"])
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Literal

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from client.errors import CLOSE_REASON, RETRY_IN

Protocol = Literal["graphql-transport-ws", "graphql-ws"]
GRAPHQL_TRANSPORT_WS: Protocol = "graphql-transport-ws"
GRAPHQL_WS: Protocol = "graphql-ws"


class GraphQLResponseError(Exception):
    """The server answered with errors (`errors` holds them as sent), or refused or ended a
    WebSocket saying why (one error: the reason's message, its code and any retryAfter)."""

    def __init__(self, errors: list[dict[str, Any]], data: Any = None) -> None:
        self.errors = errors
        self.data = data
        super().__init__("; ".join(str(e.get("message")) for e in errors))

    @property
    def codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]


class ReportsClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.AsyncClient(base_url=self.base_url, transport=transport, timeout=timeout)

    async def __aenter__(self) -> ReportsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole GraphQL response body, errors included."""
        response = await self._http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self._headers()
        )
        body: dict[str, Any] = response.json()
        return body

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """The response's data; raises GraphQLResponseError if there were errors."""
        body = await self.post(query, variables)
        if body.get("errors"):
            raise GraphQLResponseError(body["errors"], body.get("data"))
        return body["data"]

    async def download(self, url: str) -> httpx.Response:
        """GET a downloadUrl as a browser would: no Authorization header."""
        return await self._http.get(url)

    async def confirm_sign_up(self, link: str, password: str) -> httpx.Response:
        """Confirm a sign-up's address: post the password it was made with to the link
        mailed to it (as the page that link opens does)."""
        return await self._http.post(link, data={"password": password})

    async def subscribe(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        protocol: Protocol = GRAPHQL_TRANSPORT_WS,
    ) -> AsyncIterator[Any]:
        """Yield each event's data until the server completes the subscription.

        Raises GraphQLResponseError with the server's errors, and also when the
        server refuses or ends the connection saying why (its `codes` then hold
        the reason's code, such as UNAUTHENTICATED or RATE_LIMITED).
        """
        ws_url = "ws" + self.base_url.removeprefix("http") + "/graphql"
        payload = {"query": query, "variables": variables or {}}
        try:
            async with websockets.connect(ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
                await self._connection_init(ws)
                operation_id = str(uuid.uuid4())
                start = "subscribe" if protocol == GRAPHQL_TRANSPORT_WS else "start"
                await ws.send(json.dumps({"id": operation_id, "type": start, "payload": payload}))
                async for raw in ws:
                    message = json.loads(raw)
                    kind = message.get("type")
                    if kind in {"ping", "ka"}:
                        if kind == "ping":
                            await ws.send(json.dumps({"type": "pong"}))
                        continue
                    if message.get("id") != operation_id:
                        continue
                    if kind in {"next", "data"}:
                        body = message["payload"]
                        if body.get("errors"):
                            raise GraphQLResponseError(body["errors"], body.get("data"))
                        yield body["data"]
                    elif kind == "error":
                        errors = message["payload"]
                        raise GraphQLResponseError(errors if isinstance(errors, list) else [errors])
                    elif kind == "complete":
                        return
        except websockets.ConnectionClosedError as closed:
            refusal = _refusal(closed)
            if refusal is None:
                raise
            raise refusal from closed

    async def _connection_init(self, ws: ClientConnection) -> None:
        init_payload = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": init_payload}))
        ack = json.loads(await ws.recv())
        kind = ack.get("type")
        if kind == "connection_error":
            raise GraphQLResponseError([_connection_error(ack.get("payload"))])
        if kind != "connection_ack":
            raise GraphQLResponseError([{"message": f"connection refused: {ack}"}])


def _refusal(closed: websockets.ConnectionClosed) -> GraphQLResponseError | None:
    """The error a close frame's reason gives (`CODE: what to do`), if it gives one.

    The server closes a WebSocket it refuses or signs out with such a reason
    (4401 UNAUTHENTICATED, 4429 RATE_LIMITED with its "retry in N s",
    1013 SERVICE_UNAVAILABLE); other closes carry no code.
    """
    frame = closed.rcvd
    reason = CLOSE_REASON.fullmatch(frame.reason) if frame is not None else None
    if reason is None:
        return None
    extensions: dict[str, Any] = {"code": reason["code"]}
    retry = RETRY_IN.search(reason["message"])
    if retry is not None:
        extensions["retryAfter"] = int(retry["seconds"])
    return GraphQLResponseError([{"message": reason["message"], "extensions": extensions}])


def _connection_error(payload: object) -> dict[str, Any]:
    """The legacy protocol's `connection_error` payload as an error: its message, and the
    rest (code, retryAfter) as its extensions."""
    if not isinstance(payload, dict):
        return {"message": f"connection refused: {payload}"}
    extensions = {key: value for key, value in payload.items() if key != "message"}
    return {"message": str(payload.get("message")), "extensions": extensions}
