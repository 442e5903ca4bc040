"""A real browser on the web app: Debian's Chromium driven by Playwright.

Playwright's own browser downloads are not reachable here, so it drives the
system's `chromium` (CHROMIUM names another). Screenshots go to
test-artifacts/screenshots/, which CI keeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Request,
    ViewportSize,
    WebSocket,
    async_playwright,
)

from service.processes import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts,
# which this machine's closed network refuses, many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
AXE_SCRIPT = PROJECT_ROOT / "client" / "web" / "node_modules" / "axe-core" / "axe.min.js"
# The app keeps its token for the tab's session (client/web/src/session.ts).
TOKEN_KEY = "reports.token"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(
            f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
            "(`.ci/test` does), or set CHROMIUM"
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class HttpLog:
    """Every HTTP request a page makes (WebSocket frames are not requests)."""

    requests: list[str] = field(default_factory=list)
    # Page loads: a reload, or a navigation the app did not route itself.
    documents: list[str] = field(default_factory=list)

    def record(self, request: Request) -> None:
        if request.resource_type == "document":
            self.documents.append(request.url)
        if request.resource_type != "websocket":
            self.requests.append(f"{request.method} {request.url}")


@dataclass
class LiveLog:
    """The app's WebSockets: how many it opened, and whether it has subscribed yet."""

    opened: int = 0
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)

    def record(self, socket: WebSocket) -> None:
        self.opened += 1

        def sent(payload: str | bytes) -> None:
            if '"subscribe"' in str(payload):
                self.subscribed.set()

        socket.on("framesent", sent)


@dataclass
class AppPage:
    page: Page
    context: BrowserContext
    http: HttpLog
    live: LiveLog
    errors: list[str]


@contextlib.asynccontextmanager
async def app_page(
    browser: Browser,
    base_url: str,
    *,
    token: str | None = None,
    viewport: ViewportSize | None = None,
    path: str = "/",
    init_script: str | None = None,
) -> AsyncIterator[AppPage]:
    """A tab on the app, signed in with `token` if given, `init_script` run before the
    app's own; page errors are collected."""
    context = await browser.new_context(
        base_url=base_url, viewport=viewport or DESKTOP, accept_downloads=True
    )
    if token is not None:
        await context.add_init_script(f"window.sessionStorage.setItem({TOKEN_KEY!r}, {token!r})")
    if init_script is not None:
        await context.add_init_script(init_script)
    page = await context.new_page()
    http = HttpLog()
    live = LiveLog()
    errors: list[str] = []
    page.on("request", http.record)
    page.on("websocket", live.record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    try:
        await page.goto(path)
        yield AppPage(page=page, context=context, http=http, live=live, errors=errors)
    finally:
        await context.close()


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `npm ci` in client/web")
    # Evaluated through the DevTools protocol: the app's CSP (rightly) refuses an
    # injected <script>.
    await page.evaluate(AXE_SCRIPT.read_text())
    results: dict[str, Any] = await page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def sideways_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scroll)."""
    overflow: int = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow
