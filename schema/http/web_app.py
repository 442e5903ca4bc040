"""The web app and GraphiQL, built by Vite from client/web/ into client/web/dist/.

The built bundle ships in the repository and the wheel, so serving the app needs
Python only. Pages are read once at start; hashed assets are served with a long
cache life, pages with none, so a new release is picked up at the next load.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

ASSETS_PREFIX = "/assets"
APP_PAGE = "index.html"
GRAPHIQL_PAGE = "graphiql.html"

# Exactly what the pages need: their own scripts, styles, images and fonts, the API
# over HTTP and WebSocket on the same origin ('self' covers ws: and wss: of the
# page's host in CSP 3), and nothing inline, framed or posted elsewhere.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}
# Asset names carry a hash of their content: a name never serves other bytes.
_ASSET_CACHE = "public, max-age=31536000, immutable"


def web_app_dir() -> Path:
    """client/web/dist, found without importing the client package."""
    spec = find_spec("client")
    assert spec is not None and spec.origin is not None, "the client package is installed"
    return Path(spec.origin).parent / "web" / "dist"


class _HashedAssets(StaticFiles):
    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = _ASSET_CACHE
        return response


class WebPages:
    """The app's page and GraphiQL's, read once from the built bundle."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.app = _read(directory / APP_PAGE)
        self.graphiql = _read(directory / GRAPHIQL_PAGE)

    def app_page(self) -> Response:
        return _page(self.app)

    def graphiql_page(self) -> Response:
        return _page(self.graphiql)

    def routes(self) -> list[BaseRoute]:
        """/, the assets, and every other GET path that looks like one of the app's own
        routes (/reports/42): the app routes in the browser."""

        async def app_route(request: Request) -> Response:
            last_segment = request.url.path.rsplit("/", 1)[-1]
            if "." in last_segment:
                # A missing file (/favicon.ico, an old asset) is a 404, not the app.
                return PlainTextResponse("Not Found", status_code=404)
            return self.app_page()

        return [
            Mount(
                ASSETS_PREFIX,
                # Compressed here only: GraphQL's streamed responses must not be buffered.
                app=GZipMiddleware(
                    _HashedAssets(directory=self.directory / "assets", check_dir=False)
                ),
            ),
            Route("/{path:path}", app_route, methods=["GET", "HEAD"]),
        ]


def _read(page: Path) -> bytes | None:
    try:
        return page.read_bytes()
    except FileNotFoundError:
        return None


def _page(content: bytes | None) -> Response:
    if content is None:
        return PlainTextResponse(
            "The web app is not built: run `npm ci && npm run build` in client/web.",
            status_code=503,
        )
    return HTMLResponse(content, headers=_PAGE_HEADERS)
