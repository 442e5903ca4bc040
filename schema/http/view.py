"""The Strawberry ASGI view: builds each request's context and guards WebSockets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.unset import UnsetType

from schema.auth.revocation import close_socket
from schema.context import RequestContext, bearer_token
from schema.http import refusals
from schema.limits.rate_limits import RateLimited, RateRule
from schema.live.shared_events import encode_shared_message
from schema.services import Services

_EXPIRY_TIMER = "reports.token_expiry_timer"
_FORGET_SOCKET = "reports.forget_socket"


class ReportsGraphQL(GraphQL[RequestContext, None]):
    """Reads the services the app's lifespan opened from `app.state.services`."""

    websocket_adapter_class = refusals.RefusingWebSocketAdapter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            timer: asyncio.TimerHandle | None = scope.get(_EXPIRY_TIMER)
            if timer is not None:
                timer.cancel()
            forget = scope.get(_FORGET_SOCKET)
            if forget is not None:
                forget()

    def encode_json(self, data: object) -> str | bytes:
        shared = encode_shared_message(data)
        return shared if shared is not None else super().encode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        # Strawberry turns malformed JSON into a 400; bytes that are not UTF-8,
        # nesting or numbers too big for the parser, and bodies that are not an
        # object (a list is a batch, which Strawberry refuses), must be 400 too.
        try:
            body = super().parse_json(data)
        except (ValueError, RecursionError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(body, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return body

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        services: Services = request.app.state.services
        context = RequestContext(request=request, response=response, services=services)
        if isinstance(request, Request):
            await context.authenticate(request.headers.get("authorization"))
        return context

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        socket = context.request
        assert isinstance(socket, WebSocket), "only WebSockets connect"
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("Authorization", params.get("authorization"))
        caller = await context.authenticate(authorization, recheck=True)
        if caller is None:
            if context.auth_unavailable:
                raise refusals.refuse(socket, refusals.UNAVAILABLE)
            if bearer_token(authorization) is None:
                raise refusals.refuse(socket, refusals.NO_TOKEN)
            raise refusals.refuse(socket, refusals.BAD_TOKEN)
        try:
            await _count_live_connection(context)
        except RateLimited as exc:
            raise refusals.refuse(socket, refusals.rate_limited(exc.retry_after)) from exc
        revocation = context.services.revocation
        socket.scope[_FORGET_SOCKET] = revocation.track(caller.session_id, socket)
        _close_when_expired(socket, caller.expires_at)
        return await super().on_ws_connect(context)


async def _count_live_connection(context: RequestContext) -> None:
    """Count one WebSocket of the caller; RateLimited over the limit."""
    assert context.caller is not None, "only a caller's connections are counted"
    rule = RateRule("live connections", context.services.settings.rate_limit_websockets)
    await context.services.rate_limiter.hit(rule, str(context.caller.account_id))


def _close_when_expired(socket: WebSocket, expires_at: datetime) -> None:
    delay = max(0.0, (expires_at - datetime.now(UTC)).total_seconds())
    socket.scope[_EXPIRY_TIMER] = asyncio.get_running_loop().call_later(delay, _expire, socket)


def _expire(socket: WebSocket) -> None:
    asyncio.get_running_loop().create_task(close_socket(socket, "token expired"))
