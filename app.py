"""The ASGI application: GraphQL over HTTP and WebSocket, downloads, health, metrics, the web app.

Run with `reports api`, or `uvicorn app:create_app --factory`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from models.download_links import DOWNLOADS_PREFIX
from models.settings import Settings, get_settings
from models.sign_up_links import CONFIRM_PREFIX
from schema.http.confirmations import confirm_sign_up
from schema.http.downloads import download_report
from schema.http.health import health
from schema.http.metrics import serve_metrics
from schema.http.middleware import (
    REQUEST_ID_HEADER,
    BoundedRequestBody,
    RequestIds,
    SecurityHeaders,
)
from schema.http.readiness import healthz, readyz
from schema.http.view import ReportsGraphQL
from schema.http.web_app import WebPages, web_app_dir
from schema.root import build_schema
from schema.services import open_services


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_services(settings) as services:
            app.state.services = services
            yield

    pages = WebPages(web_app_dir())
    graphql = ReportsGraphQL(
        build_schema(introspection=settings.introspection_enabled),
        graphiql=pages if settings.graphiql_enabled else None,
        allowed_origins=settings.allowed_origins,
        connection_init_timeout=timedelta(seconds=settings.connection_init_timeout_seconds),
    )
    middleware = [
        # First: every line written while serving a request, the others' included, names it.
        Middleware(RequestIds),
        Middleware(SecurityHeaders, strict_transport=not settings.is_development),
        Middleware(
            BoundedRequestBody,
            max_bytes=settings.max_request_bytes,
            timeout_seconds=settings.request_body_timeout_seconds,
        ),
    ]
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
                # So a browser's script can read the id to quote in a bug report.
                expose_headers=[REQUEST_ID_HEADER],
                max_age=600,
            )
        )
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route(DOWNLOADS_PREFIX + "{token}", download_report),
            Route(CONFIRM_PREFIX + "{token}", confirm_sign_up, methods=["GET", "POST"]),
            Route("/health", health),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", serve_metrics),
            # Last: the web app's own paths.
            *pages.routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
