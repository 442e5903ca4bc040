"""The API serves the built web app and GraphiQL itself, under a CSP that allows only
what they need; nothing in them comes from another host."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from schema.http.web_app import APP_CSP, APP_SECTIONS, GRAPHIQL_CSP, web_app_dir
from service.processes import PROJECT_ROOT

HTML = {"Accept": "text/html"}


@pytest.fixture
async def browser_like(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/reports", "/reports/42", "/orders", "/dashboard"])
async def test_the_app_s_routes_are_its_page(browser_like: httpx.AsyncClient, path: str) -> None:
    response = await browser_like.get(path, headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == APP_CSP
    assert response.headers["cache-control"] == "no-cache"
    assert '<div id="root">' in response.text


async def test_assets_are_cached_for_good_and_compressed(browser_like: httpx.AsyncClient) -> None:
    page = (await browser_like.get("/")).text
    scripts = re.findall(r'src="(/assets/[^"]+\.js)"', page)
    assert scripts, page
    response = await browser_like.get(scripts[0], headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert "javascript" in response.headers["content-type"]


@pytest.mark.parametrize(
    "path",
    [
        "/assets/missing.js",
        "/assets",
        "/favicon.ico",
        "/reports/report.pdf",
        "/downloads/",
        "/downloads/x/y",
        "/confirm/",
        "/etc/passwd",
        "/no/such/screen",
    ],
)
async def test_a_missing_file_is_404_not_the_app(
    browser_like: httpx.AsyncClient, path: str
) -> None:
    response = await browser_like.get(path, headers=HTML)
    assert response.status_code == 404


async def test_graphiql_is_served_from_here_not_a_cdn(browser_like: httpx.AsyncClient) -> None:
    response = await browser_like.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == GRAPHIQL_CSP
    assert "graphiql" in response.text
    assert not re.search(r"(src|href)=\"(https?:)?//", response.text), response.text


def test_the_bundle_loads_nothing_from_elsewhere() -> None:
    """No script, style or font of the app or GraphiQL is fetched from another host
    (the CSP would refuse it, and offline it would never load)."""
    built = web_app_dir()
    pages = [built / "index.html", built / "graphiql.html"]
    for page in pages:
        text = page.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), page
    styles = list((built / "assets").glob("*.css"))
    assert styles
    for style in styles:
        assert not re.search(r"url\((['\"]?)(https?:)?//", style.read_text()), style


async def test_writes_to_app_paths_are_refused(browser_like: httpx.AsyncClient) -> None:
    response = await browser_like.post("/reports", content=b"{}")
    assert response.status_code == 405


def test_the_server_knows_each_of_the_app_s_routes() -> None:
    """Opening any of the app's routes directly (a bookmark, a reload) gets the app."""
    routes = (PROJECT_ROOT / "client" / "web" / "src" / "App.tsx").read_text()
    paths = re.findall(r'<Route path="(/[^"]*)"', routes)
    assert paths
    sections = {path.removeprefix("/").split("/", 1)[0] for path in paths}
    assert sections == APP_SECTIONS
