"""The Strawberry ASGI view: builds each request's context, guards WebSockets, streams over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from datetime import timedelta
from functools import partial
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import (
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from models.metrics import websocket_connections_active
from schema.auth.revocation import LiveConnection
from schema.auth.sessions import session_of
from schema.context import RequestContext, bearer_token
from schema.errors import ApiError, ErrorCode
from schema.http import refusals
from schema.http.protocol_errors import MAX_OPERATIONS_PER_CONNECTION, with_codes
from schema.http.signed_out_streams import until_signed_out
from schema.http.socket_adapter import GuardedWebSocketAdapter
from schema.http.web_app import WebPages
from schema.limits.rate_limits import RateLimited, RateRule
from schema.live.shared_events import encode_shared_message
from schema.services import Services

_STOP_WATCHING = "reports.stop_watching"
# Closings of signed-out sockets under way: the loop holds tasks only weakly.
_closing_sockets: set[asyncio.Task[None]] = set()

# Strawberry streams a subscription to `Accept: multipart/mixed;subscriptionSpec=1.0`
# only if multipart is listed here (a WebSocket handshake is offered only the others).
SUBSCRIPTION_PROTOCOLS = (
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)
INIT_TIMEOUT_BACKSTOP = timedelta(seconds=1)
SUBSCRIPTION_NEEDS_A_STREAM = (
    "A subscription needs a stream: open a WebSocket (graphql-transport-ws or graphql-ws), "
    "or POST it with Accept: multipart/mixed;subscriptionSpec=1.0 for a multipart response."
)


class ReportsGraphQL(GraphQL[RequestContext, None]):
    """Reads the services the app's lifespan opened from `app.state.services`."""

    websocket_adapter_class = GuardedWebSocketAdapter

    def __init__(
        self,
        schema: BaseSchema,
        *,
        graphiql: WebPages | None,
        allowed_origins: Sequence[str],
        connection_init_timeout: timedelta,
    ) -> None:
        self.graphiql = graphiql
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql is not None else None,
            allowed_origins=allowed_origins,
            subscription_protocols=SUBSCRIPTION_PROTOCOLS,
            max_subscriptions_per_connection=MAX_OPERATIONS_PER_CONNECTION,
            # The adapter closes silent sockets of both protocols at
            # connection_init_timeout, saying why (socket_adapter.py);
            # graphql-transport-ws's own timer is only a backstop behind it.
            connection_init_wait_timeout=connection_init_timeout + INIT_TIMEOUT_BACKSTOP,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        socket = scope["type"] == "websocket"
        if socket:
            websocket_connections_active.inc()
        try:
            await super().__call__(scope, receive, send)
        finally:
            if socket:
                websocket_connections_active.dec()
            stop_watching = scope.get(_STOP_WATCHING)
            if stop_watching is not None:
                stop_watching()

    async def render_graphql_ide(self, request: Request) -> Response:
        # Strawberry's page loads GraphiQL from a CDN: offline, or behind a strict
        # proxy, it never loads. Ours is built from the npm registry with the app.
        assert self.graphiql is not None, "GraphiQL is rendered only when enabled"
        return self.graphiql.graphiql_page()

    def encode_json(self, data: object) -> str | bytes:
        shared = encode_shared_message(data)
        return shared if shared is not None else super().encode_json(with_codes(data))

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
        if _STOP_WATCHING in socket.scope:
            # Only the legacy protocol lets a second connection_init through.
            raise refusals.refuse(socket, refusals.ALREADY_INITIALISED)
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("Authorization", params.get("authorization"))
        connection = _watch_sign_out(context, authorization)
        caller = await context.authenticate(authorization, recheck=True)
        if caller is None:
            if context.auth_unavailable:
                raise refusals.refuse(socket, refusals.UNAVAILABLE)
            if bearer_token(authorization) is None:
                raise refusals.refuse(socket, refusals.NO_TOKEN)
            raise refusals.refuse(socket, refusals.BAD_TOKEN)
        assert connection is not None, "a caller's token names its session"
        try:
            await _count_live_connection(context)
        except RateLimited as exc:
            raise refusals.refuse(socket, refusals.rate_limited(exc.retry_after)) from exc
        signed_out = connection.connected(caller, partial(_close_signed_out, socket))
        if signed_out is not None:
            raise refusals.refuse(socket, signed_out)
        return await super().on_ws_connect(context)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: RequestContext,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        if not (
            isinstance(request_data, GraphQLRequestData)
            and request_data.protocol == MULTIPART_SUBSCRIPTION_PROTOCOL
        ):
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        # A multipart subscription outlives its request, as a WebSocket does: its
        # session is looked up afresh, not trusted from memory. It holds what a
        # WebSocket holds, so it counts against the same limit; refused, it is
        # answered as plain JSON, before any stream starts (Strawberry 0.341
        # answers any result that is not a stream as JSON). Anonymous ones fail in
        # their resolver, with a code.
        authorization = request.headers.get("authorization")
        connection = _watch_sign_out(context, authorization)
        caller = await context.authenticate(authorization, recheck=True)
        if caller is not None:
            try:
                await _count_live_connection(context)
            except RateLimited as exc:
                return ExecutionResult(data=None, errors=[exc])
        results = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        if caller is None or not isinstance(results, AsyncGenerator):
            return results
        assert connection is not None, "a caller's token names its session"
        # Ends, saying why, when its session signs out, as the caller's sockets close.
        stream = until_signed_out(results, connection, caller)
        # An async generator is what Strawberry streams (its protocol is narrower for mypy).
        return cast("SubscriptionExecutionResult", stream)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """One operation answered with one JSON body: a query or a mutation, never a subscription.

        Replaces Strawberry 0.341's own, which its `execute_operation` calls for
        every request that asks for no stream: that one lets a subscription
        through and executes it like a query, which fails inside the resolver
        (INTERNAL_SERVER_ERROR and a logged traceback). Its 400s for the other
        requests it cannot run are kept, word for word.
        """
        method = request_adapter.method
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}
        if method == "GET" and not self.allow_queries_via_get:
            allowed.discard(OperationType.QUERY)
        try:
            return await self.schema.execute(
                request_data.query,
                variable_values=request_data.variables,
                context_value=context,
                root_value=root_value,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                refused = ApiError(ErrorCode.BAD_USER_INPUT, SUBSCRIPTION_NEEDS_A_STREAM)
                return ExecutionResult(data=None, errors=[refused])
            raise HTTPException(400, exc.as_http_error_reason(method)) from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc


async def _count_live_connection(context: RequestContext) -> None:
    """Count one WebSocket or HTTP subscription of the caller; RateLimited over the limit."""
    assert context.caller is not None, "only a caller's connections are counted"
    rule = RateRule("live connections", context.services.settings.rate_limit_websockets)
    await context.services.rate_limiter.hit(rule, str(context.caller.account_id))


def _watch_sign_out(context: RequestContext, authorization: object) -> LiveConnection | None:
    """Watch the session the token names for a sign-out from before it is looked up, until
    the socket or request ends; None when the token names none."""
    token = bearer_token(authorization)
    session_id = None if token is None else session_of(context.services.settings, token)
    if session_id is None:
        return None
    connection = context.services.revocation.watch(session_id)
    context.request.scope[_STOP_WATCHING] = connection.stop
    return connection


def _close_signed_out(socket: WebSocket, refusal: refusals.Refusal) -> None:
    closing = asyncio.get_running_loop().create_task(refusals.close_socket(socket, refusal))
    _closing_sockets.add(closing)
    closing.add_done_callback(_closing_sockets.discard)
