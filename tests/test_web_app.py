"""The web app in a real browser (Debian's Chromium) against a real API and worker.

Each test is a person using the app: signing up, recording orders, asking for
reports and watching them, with the keyboard alone, on a phone, through an API
restart; and what the app must not do (poll while idle, fail axe-core).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import (
    Browser,
    Locator,
    Page,
    Response,
    Route,
    expect,
)

from client.graphql_client import ReportsClient
from models.settings import Settings
from service.embedded_redis import LOOPBACK
from service.processes import listen, running_api, running_worker
from tests.support.browser import (
    PHONE,
    LiveLog,
    app_page,
    chromium,
    screenshot,
    serious_violations,
    sideways_overflow,
)
from tests.support.clients import token_of
from tests.support.factories import add_product, completed_order, request_report, seed_line_items
from tests.support.stacks import SignedInClientFactory, StackFactory, fast_recovery
from tests.support.waiting import wait_for_job

PASSWORD = "correct horse battery staple"
# Chunks of 2 rows, each held 0.1 s: a report of N line items runs about N/20 s,
# long enough to watch and to cancel.
SLOW_ROWS = {"read_chunk_rows": 2, "fault_chunk_delay_seconds": 0.1}
SIGN_OUT_QUERY = "mutation { logout(allSessions: true) }"
CANCEL_REPORT = "mutation($id: ID!) { cancelReport(id: $id) { id } }"


@dataclass(frozen=True)
class WebStack:
    lab: Settings
    url: str


@pytest.fixture(scope="module")
async def web(stack: StackFactory) -> AsyncIterator[WebStack]:
    lab = await stack("web", **fast_recovery(**SLOW_ROWS))
    with running_api(lab) as url, running_worker(lab):
        yield WebStack(lab, url)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as running:
        yield running


def job_row(page: Page, title: str) -> Locator:
    """The table row that names `title` (a job, an order, a product)."""
    return page.get_by_role("row").filter(has_text=title)


async def record_progress(page: Page, title: str) -> None:
    """Keep, in the page, every value the job's progress bar shows, as it shows it."""
    await page.evaluate(
        """(title) => {
            window.progressSeen = [];
            const read = () => {
              for (const row of document.querySelectorAll("tr")) {
                if (!row.textContent.includes(title)) continue;
                const bar = row.querySelector('[role="progressbar"]');
                if (!bar) continue;
                const value = Number(bar.getAttribute("aria-valuenow"));
                const seen = window.progressSeen;
                if (seen[seen.length - 1] !== value) seen.push(value);
              }
            };
            new MutationObserver(read).observe(document.body, {
              subtree: true, childList: true, attributes: true,
              attributeFilter: ["aria-valuenow"],
            });
            read();
        }""",
        title,
    )


async def test_a_new_shop_signs_up_sells_and_downloads_its_pdf_live(
    web: WebStack, browser: Browser
) -> None:
    email = f"shop-{uuid.uuid4().hex[:10]}@example.com"
    async with app_page(browser, web.url) as tab:
        page = tab.page
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Create account").click()
        await expect(page.get_by_text("We sent a confirmation link")).to_be_visible()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()

        await page.get_by_role("link", name="Products").click()
        await page.get_by_label("SKU", exact=True).fill("MUG-1")
        await page.get_by_label("Name", exact=True).fill("Blue mug")
        await page.get_by_label("Price", exact=True).fill("12.50")
        await page.get_by_label("Stock", exact=True).fill("100")
        await page.get_by_role("button", name="Add product").click()
        await expect(job_row(page, "MUG-1")).to_contain_text("Blue mug")

        await page.get_by_role("link", name="Orders").click()
        await page.get_by_label("Customer name").fill("Ada Lovelace")
        await page.get_by_label("Customer email").fill("ada@example.com")
        await page.get_by_label("SKU, line 1").fill("MUG-1")
        await page.get_by_label("Quantity, line 1").fill("3")
        await page.get_by_role("button", name="Create order").click()
        order = job_row(page, "Ada Lovelace")
        await expect(order).to_contain_text("37.50")
        await page.get_by_role("button", name="Complete order for Ada Lovelace").click()
        await expect(order).to_contain_text("Completed")

        # Enough lines that the report takes a few seconds to build.
        async with ReportsClient(web.url) as client:
            client.token = await page.evaluate("sessionStorage.getItem('reports.token')")
            await seed_line_items(client, 60)

        await page.get_by_role("link", name="Reports").click()
        loads = len(tab.http.documents)
        await page.get_by_label("Kind", exact=True).select_option("SALES")
        await page.get_by_label("Format", exact=True).select_option("PDF")
        await page.get_by_label("Title", exact=True).fill("Mug sales")
        await record_progress(page, "Mug sales")
        await page.get_by_role("button", name="Request report").click()
        row = job_row(page, "Mug sales")
        await expect(row.get_by_role("progressbar")).to_have_attribute(
            "aria-valuenow", "100", timeout=60_000
        )
        await expect(row.get_by_text("Completed", exact=True)).to_be_visible()
        seen: list[int] = await page.evaluate("window.progressSeen")
        assert seen == sorted(seen) and seen[-1] == 100, seen
        assert len([value for value in seen if 0 < value < 100]) >= 2, seen
        assert tab.http.documents[loads:] == [], "watched live, without reloading"

        async with page.expect_download() as download_info:
            await row.get_by_role("link", name="Download").click()
        download = await download_info.value
        saved = await download.path()
        assert saved.read_bytes().startswith(b"%PDF-")
        assert download.suggested_filename.endswith(".pdf")
        await screenshot(page, "reports-completed-desktop")
        assert tab.errors == []


async def test_a_job_requested_elsewhere_appears_within_a_second(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    async with app_page(browser, web.url, token=token_of(client), path="/reports") as tab:
        page = tab.page
        await expect(page.get_by_text("No jobs here yet")).to_be_visible()
        await asyncio.wait_for(tab.live.subscribed.wait(), timeout=15)
        # The API holds the subscription a moment after the message that asks for it.
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await request_report(client, kind="INVENTORY", format="CSV", title="From a script")
        await expect(job_row(page, "From a script")).to_be_visible(timeout=1_000)
        print(f"\nrequested by a script → in the table in {time.monotonic() - started:.3f} s")


async def test_a_running_job_is_cancelled_from_its_row(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    await seed_line_items(client, 400)
    async with app_page(browser, web.url, token=token_of(client), path="/reports") as tab:
        page = tab.page
        job = await request_report(client, kind="ORDERS", format="CSV", title="Long one")
        row = job_row(page, "Long one")
        await expect(row.get_by_text("Running", exact=True)).to_be_visible(timeout=30_000)
        await row.get_by_role("button", name="Cancel", exact=True).click()
        await expect(row.get_by_text("Cancelled", exact=True)).to_be_visible()
        await expect(row.get_by_role("button", name="Cancel", exact=True)).to_have_count(0)
        await expect(row.get_by_role("button", name="Retry Long one")).to_be_visible()
    done = await wait_for_job(client, job["id"])
    assert done["status"] == "CANCELLED"


async def test_bad_input_is_shown_beside_its_field_and_changes_nothing(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    await add_product(client, "PEN-1", "Pen", "2.00", stock=5)
    async with app_page(browser, web.url, token=token_of(client), path="/orders") as tab:
        page = tab.page
        await page.get_by_label("Customer name").fill("Bob")
        await page.get_by_label("Customer email").fill("bob@example.com")
        await page.get_by_label("SKU, line 1").fill("NOPE-9")
        await page.get_by_label("Quantity, line 1").fill("1")
        await page.get_by_role("button", name="Create order").click()
        sku = page.get_by_label("SKU, line 1")
        await expect(sku).to_have_attribute("aria-invalid", "true")
        refused = re.compile("NOPE-9|not found|unknown", re.I)
        await expect(sku).to_have_accessible_description(refused)
        await expect(page.get_by_text("No orders")).to_be_visible()

        await page.get_by_role("link", name="Products").click()
        await page.get_by_label("SKU", exact=True).fill("PEN-2")
        await page.get_by_label("Name", exact=True).fill("Pen")
        await page.get_by_label("Price", exact=True).fill("1.234")
        await page.get_by_role("button", name="Add product").click()
        price = page.get_by_label("Price", exact=True)
        await expect(price).to_have_attribute("aria-invalid", "true")
        await expect(price).to_have_accessible_description(re.compile("two decimals"))
        await expect(job_row(page, "PEN-2")).to_have_count(0)

        await page.get_by_role("button", name="Edit PEN-1").click()
        await page.get_by_label("Price of PEN-1").fill("2.75")
        await page.get_by_label("Stock of PEN-1").fill("-1")
        await page.get_by_role("button", name="Save").click()
        await expect(page.get_by_label("Stock of PEN-1")).to_have_attribute("aria-invalid", "true")
        await page.get_by_label("Stock of PEN-1").fill("40")
        await page.get_by_role("button", name="Save").click()
        pen = job_row(page, "PEN-1")
        await expect(pen).to_contain_text("2.75")
        await expect(pen).to_contain_text("40")
    products = await client.execute("{ products { totalCount edges { node { price stock } } } }")
    assert products["products"]["totalCount"] == 1
    assert products["products"]["edges"][0]["node"] == {"price": "2.75", "stock": 40}


async def test_the_app_reconnects_after_an_api_restart_and_catches_up(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    await seed_line_items(client, 60)
    with listen(LOOPBACK, 0) as probe:
        port = probe.getsockname()[1]
    with contextlib.ExitStack() as first_api:
        url = first_api.enter_context(running_api(web.lab, port=port))
        async with app_page(browser, url, token=token_of(client), path="/reports") as tab:
            page = tab.page
            await expect(page.get_by_text("No jobs here yet")).to_be_visible()
            first_api.close()
            warning = page.get_by_text("reconnecting")
            await expect(warning).to_be_visible(timeout=15_000)
            # The page's API is down, not the service: this job is built unseen.
            job = await request_report(client, kind="ORDERS", format="CSV", title="While away")
            await wait_for_job(client, job["id"])
            with running_api(web.lab, port=port):
                await expect(warning).to_have_count(0, timeout=30_000)
                row = job_row(page, "While away")
                await expect(row.get_by_text("Completed", exact=True)).to_be_visible()
                await expect(row.get_by_role("link", name="Download")).to_be_visible()
                await screenshot(page, "reports-after-api-restart")
            assert tab.errors == [] or all("WebSocket" in e for e in tab.errors), tab.errors


async def test_a_revoked_session_is_shown_as_signed_out(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    async with app_page(browser, web.url, token=token_of(client), path="/reports") as tab:
        page = tab.page
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        await page.wait_for_timeout(500)
        await client.execute(SIGN_OUT_QUERY)
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=10_000)
        await expect(page.get_by_text("Your session ended")).to_be_visible()
        requests, sockets = len(tab.http.requests), tab.live.opened
        await page.wait_for_timeout(3_000)
        assert len(tab.http.requests) == requests, "a refused session is not retried"
        assert tab.live.opened == sockets, "nor is its socket opened again"


async def test_the_main_flow_works_with_the_keyboard_alone(web: WebStack, browser: Browser) -> None:
    async with app_page(browser, web.url) as tab:
        page = tab.page
        keyboard = page.keyboard
        await focus_by_tab(page, "Email")
        await keyboard.type(f"keys-{uuid.uuid4().hex[:10]}@example.com")
        await keyboard.press("Tab")
        await keyboard.type(PASSWORD)
        await focus_by_tab(page, "Create account")
        await keyboard.press("Enter")
        await expect(page.get_by_role("button", name="Request report")).to_be_visible()
        async with ReportsClient(web.url) as owner:
            owner.token = await page.evaluate("sessionStorage.getItem('reports.token')")
            await completed_order_for(owner)

        await focus_by_tab(page, "Kind")
        await keyboard.type("Orders")  # a <select> takes typed option text
        await keyboard.press("Tab")  # Format
        await keyboard.type("CSV")
        await focus_by_tab(page, "Title")
        await keyboard.type("Keyboard report")
        await focus_by_tab(page, "Request report")
        await keyboard.press("Enter")
        row = job_row(page, "Keyboard report")
        download = row.get_by_role("link", name="Download")
        await expect(download).to_be_visible(timeout=30_000)
        await focus_by_tab(page, "Download")
        async with page.expect_download() as download_info:
            await keyboard.press("Enter")
        saved = await (await download_info.value).path()
        assert b"Ada" in saved.read_bytes()

        await focus_by_tab(page, "Sign out")
        async with page.expect_response(signing_out):
            await keyboard.press("Enter")
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        # The revoked session's socket has closed by now: a chosen sign-out is not news.
        await page.wait_for_timeout(500)
        await expect(page.get_by_text("Your session ended")).to_have_count(0)


async def test_several_jobs_are_cancelled_then_retried_at_once(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    await seed_line_items(client, 400)
    async with app_page(browser, web.url, token=token_of(client), path="/reports") as tab:
        page = tab.page
        titles = ["Batch A", "Batch B"]
        for title in titles:
            await request_report(client, kind="ORDERS", format="CSV", title=title)
        for title in titles:
            await expect(job_row(page, title)).to_be_visible()
            await page.get_by_label(f"Select {title}").check()
        await page.get_by_role("button", name="Cancel selected").click()
        for title in titles:
            await expect(job_row(page, title).get_by_text("Cancelled", exact=True)).to_be_visible()
        await expect(page.get_by_role("main").get_by_text("Cancelled 2 job(s).")).to_be_visible()

        for title in titles:
            await page.get_by_label(f"Select {title}").check()
        await page.get_by_role("button", name="Retry selected").click()
        for title in titles:
            row = job_row(page, title)
            await expect(row.get_by_text(re.compile("^(Pending|Running)$"))).to_be_visible()
            await expect(row.get_by_role("button", name="Cancel", exact=True)).to_be_visible()
        for title in titles:
            await page.get_by_label(f"Select {title}").check()
        await page.get_by_role("button", name="Cancel selected").click()
        for title in titles:
            await expect(job_row(page, title).get_by_text("Cancelled", exact=True)).to_be_visible()
    jobs = await client.execute("{ reportJobs { edges { node { status } } } }")
    assert [edge["node"]["status"] for edge in jobs["reportJobs"]["edges"]] == ["CANCELLED"] * 2


async def test_sign_out_revokes_the_token(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    async with app_page(browser, web.url, token=token_of(client), path="/orders") as tab:
        async with tab.page.expect_response(signing_out):
            await tab.page.get_by_role("button", name="Sign out").click()
        await expect(tab.page.get_by_role("button", name="Sign in")).to_be_visible()
        assert await tab.page.evaluate("sessionStorage.getItem('reports.token')") is None
    refused = await client.post("{ me { id } }")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def signing_out(response: Response) -> bool:
    return "logout" in (response.request.post_data or "")


async def completed_order_for(client: ReportsClient) -> None:
    await add_product(client, "KEY-1", "Keycap", "3.00", stock=10)
    await completed_order(client, "Ada", "ada@example.com", [("KEY-1", 2)])


async def focus_by_tab(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused control's accessible name is `name`."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused: str = await page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el) return "";
                const label = el.labels && el.labels[0] ? el.labels[0].textContent : "";
                return (el.getAttribute("aria-label") || label || el.textContent || "").trim();
            }"""
        )
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


SCREENS = ["reports", "orders", "products", "schedules", "dashboard"]


async def test_every_screen_passes_axe_and_fits_a_phone(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    await completed_order_for(client)
    job = await request_report(client, kind="SALES", format="CSV", title="Phone check")
    await wait_for_job(client, job["id"])
    async with app_page(browser, web.url) as tab:
        await expect(tab.page.get_by_role("button", name="Sign in")).to_be_visible()
        assert await serious_violations(tab.page) == []
        await tab.page.set_viewport_size(PHONE)
        assert await sideways_overflow(tab.page) == 0
        await screenshot(tab.page, "sign-in-phone")
    async with app_page(browser, web.url, token=token_of(client), viewport=PHONE) as tab:
        page = tab.page
        for screen in SCREENS:
            await page.get_by_role("link", name=screen.capitalize()).click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(screen.capitalize())
            await page.wait_for_load_state("networkidle")
            assert await serious_violations(page) == [], screen
            assert await sideways_overflow(page) == 0, screen
            await screenshot(page, f"{screen}-phone")
        await page.goto(f"/reports/{job['id']}")
        await expect(page.get_by_role("heading", name="Phone check")).to_be_visible()
        assert await serious_violations(page) == []
        assert await sideways_overflow(page) == 0
        await screenshot(page, "job-details-phone")
        assert tab.errors == []


async def test_the_app_sends_no_http_request_while_idle_with_jobs_running(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    await seed_line_items(client, 1000)
    async with app_page(browser, web.url, token=token_of(client), path="/reports") as tab:
        page = tab.page
        jobs = [
            await request_report(client, kind="ORDERS", format="CSV", title=f"Idle {n}")
            for n in range(2)
        ]
        await expect(job_row(page, "Idle 1").get_by_text("Running", exact=True)).to_be_visible(
            timeout=30_000
        )
        before = list(tab.http.requests)
        bar = job_row(page, "Idle 0").get_by_role("progressbar")
        start = int(await bar.get_attribute("aria-valuenow") or 0)
        await page.wait_for_timeout(30_000)
        moved = int(await bar.get_attribute("aria-valuenow") or 0)
        assert tab.http.requests == before, tab.http.requests[len(before) :]
        assert moved > start, "the page was live all along"

        # The dashboard re-reads its figures when a job changes status, not as one
        # moves along.
        await page.get_by_role("link", name="Dashboard").click()
        await expect(page.get_by_text("Jobs running")).to_be_visible()
        await page.wait_for_load_state("networkidle")
        before = list(tab.http.requests)
        await page.wait_for_timeout(5_000)
        assert tab.http.requests == before, tab.http.requests[len(before) :]
    for job in jobs:
        await client.execute(CANCEL_REPORT, {"id": job["id"]})


async def test_graphiql_loads_with_no_internet_and_subscribes(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    context = await browser.new_context(base_url=web.url)
    try:
        outside: list[str] = []

        async def only_the_service(route: Route) -> None:
            if route.request.url.startswith(web.url):
                await route.continue_()
            else:
                outside.append(route.request.url)
                await route.abort()

        await context.route("**/*", only_the_service)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        await page.goto("/graphql")
        editor = page.locator(".graphiql-query-editor .CodeMirror")
        await expect(editor).to_be_visible(timeout=15_000)
        # The schema's introspection answered: GraphiQL knows a subscription from a query.
        await page.wait_for_load_state("networkidle")
        # The headers pane is open: the page opens it with an Authorization template.
        await page.evaluate(
            """([query, headers]) => {
                const editor = (selector) => document.querySelector(selector).CodeMirror;
                editor(".graphiql-query-editor .CodeMirror").setValue(query);
                editor(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
                  .setValue(headers);
            }""",
            [
                "subscription Watch { reportJobs { title status } }",
                f'{{"Authorization": "Bearer {token_of(client)}"}}',
            ],
        )
        live = LiveLog()
        page.on("websocket", live.record)
        # GraphiQL re-reads its editors a moment after an edit; run the document after that.
        await page.wait_for_timeout(1_000)
        await page.get_by_role("button", name=re.compile("Execute query")).click()
        await asyncio.wait_for(live.subscribed.wait(), timeout=15)
        # The API holds the subscription a moment after the message that asks for it.
        await page.wait_for_timeout(500)
        await request_report(client, kind="SALES", format="CSV", title="Seen in GraphiQL")
        result = page.locator(".graphiql-response")
        await expect(result).to_contain_text("Seen in GraphiQL", timeout=15_000)
        # Its dialogs work under its CSP (they add a <style> element).
        await page.get_by_role("button", name="Open settings dialog").click()
        await expect(page.get_by_role("dialog")).to_be_visible()
        await page.keyboard.press("Escape")
        assert outside == [] and errors == []
    finally:
        await context.close()


async def test_a_schedule_is_made_read_in_words_and_run_now(
    web: WebStack, browser: Browser, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(web.url)
    await completed_order_for(client)
    async with app_page(browser, web.url, token=token_of(client), path="/schedules") as tab:
        page = tab.page
        await page.get_by_label("Name", exact=True).fill("Monday sales")
        cron = page.get_by_label("Cron", exact=True)
        await cron.fill("61 7 * * MON")
        await expect(page.get_by_text("Not a valid cron expression")).to_be_visible()
        await page.get_by_role("button", name="Create schedule").click()
        await expect(cron).to_have_attribute("aria-invalid", "true")
        assert (await client.execute("{ reportSchedules { totalCount } }")) == {
            "reportSchedules": {"totalCount": 0}
        }

        await cron.fill("0 7 * * MON")
        await expect(page.get_by_text("At 07:00, only on Monday")).to_be_visible()
        await page.get_by_label("Time zone", exact=True).fill("Europe/Berlin")
        runs = page.get_by_role("list").filter(has_text="07:00")
        await expect(page.get_by_text("Next 5 runs (Europe/Berlin)")).to_be_visible()
        await expect(runs.get_by_role("listitem")).to_have_count(5)
        await page.get_by_role("button", name="Add delivery target").click()
        await page.get_by_label("Delivery target 1", exact=True).fill("boss@example.com")
        await page.get_by_role("button", name="Create schedule").click()
        row = job_row(page, "Monday sales")
        await expect(row).to_contain_text("Europe/Berlin")

        await page.get_by_role("button", name="Run Monday sales now").click()
        await page.get_by_role("button", name="History of Monday sales").click()
        history = page.get_by_role("region", name=re.compile("Monday sales"))
        await expect(history.get_by_text("Completed", exact=True)).to_be_visible(timeout=30_000)
        await expect(history.get_by_text("Sent", exact=True)).to_be_visible(timeout=30_000)
        await expect(history).to_contain_text("boss@example.com")
        await screenshot(page, "schedules-history-desktop")

        await page.get_by_role("link", name="Dashboard").click()
        completed = page.locator(".stat").filter(has=page.get_by_text("Completed", exact=True))
        await expect(completed.locator("dd")).to_have_text("1")
        await expect(page.get_by_role("img", name=re.compile("finished"))).to_be_visible()
        loads = len(tab.http.documents)
        # The figures follow the tab's job events, not a timer.
        job = await request_report(client, kind="SALES", format="CSV", title="Counted")
        await wait_for_job(client, job["id"])
        await expect(completed.locator("dd")).to_have_text("2", timeout=10_000)
        assert tab.http.documents[loads:] == []
