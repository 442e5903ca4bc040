"""Per-request context: who is calling, and the process's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from models.failures import is_connection_failure
from models.orders import OrderItem, items_of_orders
from models.report_jobs import ReportJob, jobs_by_id
from models.schedules import ReportSchedule, schedules_by_id
from schema.auth.sessions import Caller, authenticate
from schema.errors import UNAVAILABLE_MESSAGE, ApiError, ErrorCode, unauthenticated
from schema.services import Services


def bearer_token(value: object) -> str | None:
    """The token in an `Authorization: Bearer <token>` value, if any."""
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# Slots: one of these lives as long as each WebSocket, thousands at once.
@dataclass(slots=True)
class RequestContext:
    request: Request | WebSocket
    response: Response | WebSocket | None
    services: Services
    caller: Caller | None = None
    # Filled by Strawberry from a WebSocket's connection_init payload.
    connection_params: dict[str, Any] = field(default_factory=dict)
    # Set when the token could not be checked because the database is unreachable.
    auth_unavailable: bool = False
    # Batches the loading of orders' items within a tick; caches nothing, as a
    # WebSocket's context outlives its operations.
    _order_items: DataLoader[UUID, list[OrderItem]] | None = None
    _report_jobs: DataLoader[UUID, ReportJob | None] | None = None
    _report_schedules: DataLoader[UUID, ReportSchedule | None] | None = None

    @property
    def order_items(self) -> DataLoader[UUID, list[OrderItem]]:
        if self._order_items is None:
            self._order_items = DataLoader(load_fn=items_of_orders, cache=False)
        return self._order_items

    @property
    def report_jobs(self) -> DataLoader[UUID, ReportJob | None]:
        """Jobs by id (a schedule run's job), batched like order_items."""
        if self._report_jobs is None:
            self._report_jobs = DataLoader(load_fn=jobs_by_id, cache=False)
        return self._report_jobs

    @property
    def report_schedules(self) -> DataLoader[UUID, ReportSchedule | None]:
        """Schedules by id (the schedule that made a job), batched like order_items."""
        if self._report_schedules is None:
            self._report_schedules = DataLoader(load_fn=schedules_by_id, cache=False)
        return self._report_schedules

    async def authenticate(self, authorization: object, *, recheck: bool = False) -> Caller | None:
        """Set the caller from an Authorization value; None if absent or not valid.

        `recheck` looks the session up even if it was found live moments ago: a
        WebSocket lives long after its connect, so its connect must not rely on
        what a lost revocation announcement could have left behind.
        """
        token = bearer_token(authorization)
        if token is None:
            return self.caller
        checked = self.services.revocation.checked
        self.caller = None if recheck else checked.get(token)
        if self.caller is None:
            generation = checked.generation
            try:
                self.caller = await authenticate(self.services.settings, token)
            except Exception as exc:
                if not is_connection_failure(exc):
                    raise
                self.auth_unavailable = True
            if self.caller is not None:
                checked.put(token, self.caller, generation)
        return self.caller

    @property
    def client_address(self) -> str:
        client = self.request.client
        return client.host if client else "unknown"


AppInfo = Info[RequestContext, None]


def current_caller(info: AppInfo) -> Caller:
    """Who is calling; UNAUTHENTICATED when nobody (or a revoked or expired token) is."""
    caller = info.context.caller
    if caller is None:
        if info.context.auth_unavailable:
            raise ApiError(ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
        raise unauthenticated()
    return caller


def current_account(info: AppInfo) -> UUID:
    """The caller's account id; UNAUTHENTICATED when there is none."""
    return current_caller(info).account_id
