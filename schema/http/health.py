"""GET /health: the process answers, and how its live events are doing."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from schema.services import Services


async def health(request: Request) -> Response:
    services: Services = request.app.state.services
    return JSONResponse(
        {
            "status": "ok",
            "jobEvents": "connected" if services.hub.connected else "reconnecting",
            "subscriptions": services.hub.listener_count,
            # Tasks left behind by closed connections would show up here as a leak.
            "tasks": len(asyncio.all_tasks()),
        }
    )
