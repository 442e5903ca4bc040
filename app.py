"""The ASGI application: GraphQL over HTTP and WebSocket, downloads, health.

Run with `reports api`, or `uvicorn app:create_app --factory`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from models.database import close_database, open_database
from models.job_events import JobEventPublisher, hub_client_name
from models.settings import Settings, get_settings
from schema.downloads import download_report
from schema.job_event_hub import JobEventHub
from schema.middleware import MaxBodySize, SecurityHeaders
from schema.rate_limits import RateLimiter
from schema.root import build_schema
from schema.services import Services
from schema.sessions import (
    CheckedSessions,
    SessionSockets,
    forget_sessions,
    revocation_channel,
    revoked_session_ids,
)
from schema.view import ReportsGraphQL
from workers.queue import open_queue


async def health(request: Request) -> Response:
    hub = request.app.state.services.hub
    return JSONResponse(
        {
            "status": "ok",
            "jobEvents": "connected" if hub.connected else "reconnecting",
            "subscriptions": hub.listener_count,
            # Tasks left behind by closed connections would show up here as a leak.
            "tasks": len(asyncio.all_tasks()),
        }
    )


async def index(request: Request) -> Response:
    return RedirectResponse("/graphql")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await open_database(settings.database_url)
        queue = open_queue(settings)
        hub = JobEventHub(
            settings.redis_url,
            settings.channel_prefix,
            client_name=hub_client_name(settings.channel_prefix, os.getpid()),
        )
        session_sockets, checked_sessions = SessionSockets(), CheckedSessions()

        def on_revocation(announcement: bytes) -> None:
            revoked = revoked_session_ids(announcement)
            forget_sessions(checked_sessions, session_sockets, revoked)

        hub.on_channel(revocation_channel(settings.channel_prefix), on_revocation)
        hub.on_reconnect(checked_sessions.clear)
        await hub.start()
        app.state.services = Services(
            settings=settings,
            queue=queue,
            publisher=JobEventPublisher(queue, settings.channel_prefix),
            hub=hub,
            rate_limiter=RateLimiter(queue, settings.channel_prefix),
            session_sockets=session_sockets,
            checked_sessions=checked_sessions,
        )
        try:
            yield
        finally:
            await hub.stop()
            await queue.aclose()
            await close_database()

    graphql = ReportsGraphQL(
        build_schema(introspection=settings.introspection_enabled),
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allowed_origins=settings.allowed_origins,
    )
    middleware = [
        Middleware(SecurityHeaders, strict_transport=not settings.is_development),
        Middleware(MaxBodySize, max_bytes=settings.max_request_bytes),
    ]
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    return Starlette(
        routes=[
            Route("/", index),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/downloads/{token}", download_report),
            Route("/health", health),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
