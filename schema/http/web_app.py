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
# The first segment of each of the app's own routes (client/web/src/App.tsx; a test
# keeps the two in step); "" is /. Any other path is a plain 404.
APP_SECTIONS = frozenset({"", "reports", "orders", "products", "schedules", "dashboard"})
APP_PAGE = "index.html"
GRAPHIQL_PAGE = "graphiql.html"

# Exactly what the app needs: its own scripts, styles and images, the API over HTTP
# and WebSocket on the same origin ('self' covers ws: and wss: of the page's host in
# CSP 3), and nothing inline, framed or posted anywhere (its forms never navigate).
APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# GraphiQL's the same, but for its fonts (data: URLs in its stylesheet) and the
# <style> element its dialogs add to hold the page still (react-remove-scroll),
# whose text, and so hash, depends on the browser's scrollbar width.
GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
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
        return _page(self.app, APP_CSP)

    def graphiql_page(self) -> Response:
        return _page(self.graphiql, GRAPHIQL_CSP)

    def routes(self) -> list[BaseRoute]:
        """The assets, and the app's page for / and each of its own routes
        (/reports/42): the app routes in the browser."""

        async def app_route(request: Request) -> Response:
            section = request.path_params["path"].split("/", 1)[0]
            last_segment = request.url.path.rsplit("/", 1)[-1]
            # A missing file (/favicon.ico, an old asset) is a 404, not the app.
            if section not in APP_SECTIONS or "." in last_segment:
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


def _page(content: bytes | None, policy: str) -> Response:
    if content is None:
        return PlainTextResponse(
            "The web app is not built: run `npm ci && npm run build` in client/web.",
            status_code=503,
        )
    return HTMLResponse(
        content, headers={"Content-Security-Policy": policy, "Cache-Control": "no-cache"}
    )
