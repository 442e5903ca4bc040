"""What every WebSocket goes through, on either protocol, before and beside Strawberry's handlers.

- Opened too often from one address (RATE_LIMIT_SOCKETS_PER_ADDRESS_PER_MINUTE),
  counted from the handshake, before the socket says who it is: closed 4429.
- Silent past CONNECTION_INIT_TIMEOUT_SECONDS without connection_init: closed
  4408. (graphql-transport-ws closes at 60 s by itself; the legacy protocol
  never did.)
- A message of a shape neither protocol allows: closed 4400
  (schema/http/socket_messages.py).
- Refused by the connect hook: closed with the hook's Refusal
  (schema/http/refusals.py) instead of Strawberry's 4403 "Forbidden".

Relies on Strawberry's handlers of both protocols reading every message through
the adapter's `iter_json`, and stopping when it ends; on their closing the
socket through the adapter's `close`, once, right after the connect hook raised
(Strawberry 0.341, `handle_connection_init`); and on the adapter's `ws`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping

from starlette.websockets import WebSocketDisconnected
from strawberry.asgi import ASGIWebSocketAdapter

from schema.http import refusals
from schema.http.socket_messages import message_problem
from schema.limits.rate_limits import RateLimited, RateRule
from schema.services import Services


class GuardedWebSocketAdapter(ASGIWebSocketAdapter):
    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        services: Services = self.ws.app.state.services
        refused = await self._refused_at_open(services)
        if refused is not None:
            await refusals.close_socket(self.ws, refused)
            return
        timeout = services.settings.connection_init_timeout_seconds
        deadline = asyncio.get_running_loop().time() + timeout
        initialised = False
        messages = super().iter_json(ignore_parsing_errors=ignore_parsing_errors)
        try:
            while True:
                try:
                    async with asyncio.timeout_at(None if initialised else deadline):
                        message = await anext(messages)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    await refusals.close_socket(self.ws, refusals.init_timeout(timeout))
                    return
                problem = message_problem(message)
                if problem is not None:
                    await refusals.close_socket(self.ws, refusals.not_understood(problem))
                    return
                if isinstance(message, dict) and message["type"] == "connection_init":
                    initialised = True
                yield message
        finally:
            await messages.aclose()

    async def send_json(self, message: Mapping[str, object]) -> None:
        # Starlette refuses a send after the close (ours, for a bad message, or the
        # client's) with this RuntimeError, which Strawberry does not catch: a
        # subscription's task answering late then dies unretrieved, logging a
        # traceback. The socket is gone; there is no one to tell.
        with contextlib.suppress(WebSocketDisconnected):
            await super().send_json(message)

    async def close(self, code: int, reason: str) -> None:
        refusal: refusals.Refusal | None = self.ws.scope.get(refusals.REFUSAL_SCOPE_KEY)
        if refusal is not None:
            code, reason = refusal.close_code, refusal.reason
        await super().close(code, reason)

    async def _refused_at_open(self, services: Services) -> refusals.Refusal | None:
        client = self.ws.client
        rule = RateRule("sockets per address", services.settings.rate_limit_sockets_per_address)
        try:
            await services.rate_limiter.hit(rule, client.host if client else "unknown")
        except RateLimited as exc:
            return refusals.rate_limited(exc.retry_after)
        return None
