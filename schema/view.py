"""The Strawberry ASGI view: builds each request's context and authenticates WebSockets."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from schema.context import RequestContext
from schema.errors import ErrorCode
from schema.services import Services


class ReportsGraphQL(GraphQL[RequestContext, None]):
    """Reads the services the app's lifespan opened from `app.state.services`."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        services: Services = request.app.state.services
        context = RequestContext(request=request, response=response, services=services)
        if isinstance(request, Request):
            context.authenticate(request.headers.get("authorization"))
        return context

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("Authorization", params.get("authorization"))
        if context.authenticate(authorization) is None:
            raise ConnectionRejectionError(
                {"message": "Sign in first", "code": ErrorCode.UNAUTHENTICATED.value}
            )
        return await super().on_ws_connect(context)
