"""Per-request context: who is calling, and the process's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info

from schema.errors import unauthenticated
from schema.services import Services
from schema.signing import InvalidTokenError, read_auth_token


def bearer_token(value: object) -> str | None:
    """The token in an `Authorization: Bearer <token>` value, if any."""
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@dataclass
class RequestContext:
    request: Request | WebSocket
    response: Response | WebSocket | None
    services: Services
    account_id: UUID | None = None
    # Filled by Strawberry from a WebSocket's connection_init payload.
    connection_params: dict[str, Any] = field(default_factory=dict)

    def authenticate(self, authorization: object) -> UUID | None:
        """Set the caller from an Authorization value; None if absent or invalid."""
        token = bearer_token(authorization)
        if token is None:
            return None
        settings = self.services.settings
        try:
            self.account_id = read_auth_token(
                settings.secret_key, token, settings.token_ttl_seconds
            )
        except InvalidTokenError:
            return None
        return self.account_id


AppInfo = Info[RequestContext, None]


def current_account(info: AppInfo) -> UUID:
    """The caller's account id; UNAUTHENTICATED when there is none."""
    account_id = info.context.account_id
    if account_id is None:
        raise unauthenticated()
    return account_id
