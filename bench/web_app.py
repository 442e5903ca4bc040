"""The web app: its bundle's size, and how soon a job's progress shows in the browser.

Jobs are built by a real worker and watched on the Reports screen in Debian's
Chromium. The page notes when each subscription message arrives (before the app
reads it) and when each job's progress bar changes, both on the page's clock.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import time

from bench.harness import Figure, bench_stack, p50, p99, print_table
from client.graphql_client import ReportsClient
from schema.http.web_app import web_app_dir
from service.processes import running_api, running_worker
from tests.support.browser import app_page, chromium
from tests.support.factories import seed_line_items

REGISTER = 'mutation { register(email: "web@example.com", password: "benchmark!") { token } }'
REQUEST = """
mutation($title: String!) { requestReport(input: {kind: ORDERS, format: CSV, title: $title}) {
  id } }
"""
JOB = "query($id: ID!) { reportJob(id: $id) { status } }"
# Every subscription message, stamped as it arrives, before graphql-ws reads it; and
# every value each progress bar shows, stamped as it changes. Both in Date.now() ms.
WATCH = """
(() => {
  window.benchMessages = [];
  window.benchBars = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const at = performance.timeOrigin + performance.now();
        const job = JSON.parse(event.data)?.payload?.data?.reportJobs;
        if (job) window.benchMessages.push({ title: job.title, status: job.status,
                                             progress: job.progress, at });
      });
    }
  };
  const seen = new Map();
  const read = () => {
    const at = performance.timeOrigin + performance.now();
    for (const bar of document.querySelectorAll('[role="progressbar"]')) {
      const title = (bar.getAttribute("aria-label") || "").replace("Progress of ", "");
      const value = Number(bar.getAttribute("aria-valuenow"));
      if (seen.get(title) !== value) {
        seen.set(title, value);
        window.benchBars.push({ title, value, at });
      }
    }
  };
  new MutationObserver(read).observe(document, { subtree: true, childList: true,
    attributes: true, attributeFilter: ["aria-valuenow"] });
})();
"""


def bundle_kilobytes() -> tuple[float, float]:
    """The app's first load (its page's scripts and styles), and GraphiQL's, gzipped."""
    built = web_app_dir()

    def gzipped(page: str) -> float:
        html = (built / page).read_text()
        assets = re.findall(r'(?:src|href)="/assets/([^"]+\.(?:js|css))"', html)
        return (
            sum(len(gzip.compress((built / "assets" / a).read_bytes(), 9)) for a in assets) / 1024
        )

    return gzipped("index.html"), gzipped("graphiql.html")


async def progress_to_screen(jobs: int) -> tuple[list[float], list[float]]:
    """Milliseconds from each RUNNING message's arrival to its bar showing its progress,
    and the same for each job's first message that moves the bar off 0."""
    async with bench_stack("web", read_chunk_rows=2, fault_chunk_delay_seconds=0.05) as settings:
        with running_api(settings) as url, running_worker(settings):
            async with ReportsClient(url) as client, chromium() as browser:
                client.token = (await client.execute(REGISTER))["register"]["token"]
                await seed_line_items(client, 60)
                async with app_page(
                    browser, url, token=client.token, path="/reports", init_script=WATCH
                ) as tab:
                    await tab.page.get_by_text("No jobs here yet").wait_for()
                    await asyncio.sleep(0.5)
                    for index in range(jobs):
                        title = f"bench-{index}"
                        job = (await client.execute(REQUEST, {"title": title}))["requestReport"]
                        await _until_finished(client, job["id"])
                    await asyncio.sleep(0.5)
                    messages = await tab.page.evaluate("window.benchMessages")
                    bars = await tab.page.evaluate("window.benchBars")
    shown: list[float] = []
    first_moves: list[float] = []
    moved_titles: set[str] = set()
    for message in messages:
        later = [
            bar["at"]
            for bar in bars
            if bar["title"] == message["title"]
            and bar["value"] == message["progress"]
            and bar["at"] >= message["at"]
        ]
        if not later or message["status"] != "RUNNING":
            continue
        shown.append(min(later) - message["at"])
        if message["progress"] > 0 and message["title"] not in moved_titles:
            moved_titles.add(message["title"])
            first_moves.append(min(later) - message["at"])
    return shown, first_moves


async def _until_finished(client: ReportsClient, job_id: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = (await client.execute(JOB, {"id": job_id}))["reportJob"]
        if job["status"] not in ("PENDING", "RUNNING"):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"job {job_id} did not finish")


async def measure(jobs: int) -> list[Figure]:
    app_kb, graphiql_kb = bundle_kilobytes()
    shown, first_moves = await progress_to_screen(jobs)
    frame = 1000 / 60
    return [
        Figure("web: app first load, gzipped", app_kb, "KB", "GraphiQL page", graphiql_kb, "—"),
        Figure(
            "web: progress message → bar shows it p50",
            p50(shown),
            "ms",
            "one frame at 60 Hz",
            frame,
            "≤ 1 frame",
        ),
        Figure(
            "web: progress message → bar shows it p99",
            p99(shown),
            "ms",
            "one frame at 60 Hz",
            frame,
            "≤ 2 frames",
        ),
        Figure(
            "web: first RUNNING progress → bar moves p50",
            p50(first_moves),
            "ms",
            "one frame at 60 Hz",
            frame,
            "—",
        ),
    ]


if __name__ == "__main__":
    print_table(asyncio.run(measure(5)))
