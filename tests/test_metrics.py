"""Prometheus metrics: what an operator's Prometheus reads from real API and worker processes
after a known sequence of jobs, from several API processes behind one port, and what the
dashboard in deploy/ asks of them."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import Counter, Gauge, Histogram

from client.graphql_client import GraphQLResponseError, ReportsClient
from models import metrics
from models.report_jobs import Priority
from models.settings import METRICS_DIRECTORY_VARIABLE
from service.embedded_redis import free_port
from service.processes import (
    PROJECT_ROOT,
    REPORTS_COMMAND,
    running_api_process,
    running_worker,
    service_env,
)
from tests.support.clients import register
from tests.support.documents import CANCEL_REPORT, REPORT_JOB, WATCH_JOBS
from tests.support.factories import request_report, seed_line_items
from tests.support.metrics import parse, scrape, value
from tests.support.stacks import StackFactory, fast_recovery
from tests.support.streams import watching
from tests.support.waiting import eventually, wait_for_job

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "reports-dashboard.json"
SCRAPE_CONFIG = PROJECT_ROOT / "deploy" / "prometheus" / "prometheus.yml"
# A metric name in a PromQL expression: reports_ followed by name characters.
METRIC_NAME = re.compile(r"\breports_[a-z_]+\b")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def declared_metrics() -> dict[str, set[str]]:
    """Every metric the service exports: its name, and the names of its series."""
    declared = {name: {name} for name in metrics.SCRAPED_METRIC_NAMES}
    for collector in vars(metrics).values():
        if isinstance(collector, Counter | Gauge | Histogram):
            (family,) = collector.describe()
            series = {
                Counter: {f"{family.name}_total"},
                Gauge: {family.name},
                Histogram: {family.name + suffix for suffix in HISTOGRAM_SUFFIXES},
            }[type(collector)]
            declared[family.name] = series
    return declared


async def test_metrics_count_a_known_sequence_of_jobs(stack: StackFactory) -> None:
    # Every job's first attempt fails (a simulated storage error) and is retried; a PDF
    # of more than 5 rows fails at once, whatever the attempt.
    lab = await stack(
        "metrics",
        **fast_recovery(fault_transient_failures=1, pdf_max_rows=5, metrics_port=free_port()),
    )
    worker_metrics = f"http://127.0.0.1:{lab.metrics_port}/metrics"
    with running_api_process(lab) as (url, _), running_worker(lab):
        async with ReportsClient(url) as client:
            await register(client)
            await seed_line_items(client, 10)
            before = scrape(f"{url}/metrics")
            completed = [
                await request_report(
                    client, kind="ORDERS", format="CSV", deliverTo=[{"email": "ops@example.com"}]
                ),
                await request_report(client, kind="ORDERS", format="CSV"),
            ]
            failed = await request_report(client, kind="ORDERS", format="PDF")
            later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
            cancelled = await request_report(client, kind="SALES", format="CSV", runAt=later)
            await client.execute(CANCEL_REPORT, {"id": cancelled["id"]})
            finished = [await wait_for_job(client, job["id"]) for job in [*completed, failed]]
            with pytest.raises(GraphQLResponseError):
                await client.execute('query { reportJob(id: "1") { noSuchField } }')
            await eventually(
                lambda: client.execute(REPORT_JOB, {"id": completed[0]["id"]}),
                lambda answer: answer["reportJob"]["deliveries"][0]["status"] == "SENT",
                what="the email delivery sent",
            )
            async with watching(client, WATCH_JOBS):
                api = scrape(f"{url}/metrics")
            after_subscription = scrape(f"{url}/metrics")
            worker = scrape(worker_metrics)

    assert [job["status"] for job in finished] == ["COMPLETED", "COMPLETED", "FAILED"]
    # Terminal outcomes, each counted by the process that made it: the worker finished
    # three, the API cancelled one.
    assert value(worker, "reports_jobs_total", kind="ORDERS", format="CSV", status="COMPLETED") == 2
    assert value(worker, "reports_jobs_total", kind="ORDERS", format="PDF", status="FAILED") == 1
    assert value(api, "reports_jobs_total", kind="SALES", format="CSV", status="CANCELLED") == 1
    for samples in (api, worker):
        outcomes = sum(v for (name, _), v in samples.items() if name == "reports_jobs_total")
        assert outcomes == (1 if samples is api else 3)
    # Durations of the finished runs; queue waits of the three first attempts (the
    # cancelled job never ran).
    assert value(worker, "reports_job_duration_seconds_count", kind="ORDERS", format="CSV") == 2
    assert value(worker, "reports_job_duration_seconds_count", kind="ORDERS", format="PDF") == 1
    assert value(worker, "reports_job_queue_wait_seconds_count") == 3
    assert value(worker, "reports_job_queue_wait_seconds_sum") < 60
    # Every retry is one attempt more than the first.
    retries = sum(job["attempts"] - 1 for job in finished)
    assert retries >= 2
    assert value(worker, "reports_job_retries_total") == retries
    assert value(worker, "reports_deliveries_total", channel="EMAIL", status="SENT") == 1
    assert value(worker, "reports_job_events_published_total") > 3 * len(finished)
    assert value(api, "reports_job_events_published_total") >= 5, "4 requests and a cancel"

    # The API's view of the whole service, read from PostgreSQL when scraped.
    assert value(api, "reports_database_up") == 1
    assert value(api, "reports_workers_alive") == 1
    assert value(api, "reports_jobs_running") == 0
    assert {p.value: value(api, "reports_queue_depth", priority=p.value) for p in Priority} == {
        p.value: 0 for p in Priority
    }
    # GraphQL operations, by type and outcome; the query asking for no such field is one error.
    asked = value(api, "reports_graphql_requests_total", operation_type="query", status="error")
    asked_before = value(
        before, "reports_graphql_requests_total", operation_type="query", status="error"
    )
    assert asked - asked_before == 1
    assert (
        value(api, "reports_graphql_requests_total", operation_type="mutation", status="ok")
        - value(before, "reports_graphql_requests_total", operation_type="mutation", status="ok")
        == 5
    )
    assert value(api, "reports_graphql_requests_total", operation_type="subscription", status="ok")
    assert value(api, "reports_graphql_request_duration_seconds_count", operation_type="query") > 0
    # The subscription's socket, while it was open, and after.
    assert value(api, "reports_subscriptions_active") == 1
    assert value(api, "reports_websocket_connections_active") == 1
    assert value(after_subscription, "reports_subscriptions_active") == 0
    assert value(after_subscription, "reports_websocket_connections_active") == 0
    # Labels come from enums only: no ids, emails or operation names anywhere.
    for samples in (api, worker):
        for _, labels in samples:
            for _, label_value in labels:
                assert "@" not in label_value and cancelled["id"] not in label_value


async def test_the_service_facts_are_left_out_while_the_database_is_away(
    stack: StackFactory,
) -> None:
    lab = await stack("metrics-no-database")
    # A database nobody serves: the API starts (it connects lazily) and must still answer.
    away = replace(lab, database_url="postgres://postgres@127.0.0.1:1/nowhere")
    with running_api_process(away) as (url, _):
        started = time.perf_counter()
        samples = scrape(f"{url}/metrics")
        took = time.perf_counter() - started
    assert value(samples, "reports_database_up") == 0
    names = {name for name, _ in samples}
    assert not names & {"reports_queue_depth", "reports_jobs_running", "reports_workers_alive"}
    assert "reports_graphql_requests_total" in names
    assert took < 10, "within Prometheus's default scrape timeout"


async def test_api_processes_behind_one_port_add_up(stack: StackFactory) -> None:
    lab = await stack("metrics-workers")
    queries = 40
    sockets = 6
    with running_api_process(lab, workers=2) as (url, api):
        serving = _api_processes(api.pid)
        before = scrape(f"{url}/metrics")
        # A connection of its own per request, so that both processes take some.
        for _ in range(queries):
            async with httpx.AsyncClient() as fresh:
                answer = await fresh.post(f"{url}/graphql", json={"query": "{ __typename }"})
                assert answer.json() == {"data": {"__typename": "Query"}}
        clients = [ReportsClient(url) for _ in range(sockets)]
        try:
            for client in clients:
                await register(client)
            # Not `watching`: it waits on /health, which each process answers for itself.
            listening = [asyncio.create_task(_listen(client)) for client in clients]
            try:
                await eventually(
                    lambda: scrape(f"{url}/metrics"),
                    lambda samples: value(samples, "reports_subscriptions_active") == sockets,
                    what=f"{sockets} subscriptions counted",
                    timeout=30,
                )
                held = [await _subscriptions_held(url) for _ in range(30)]
                scrapes = [scrape(f"{url}/metrics") for _ in range(10)]
                timings = [_timed_scrape(url) for _ in range(20)]
            finally:
                for task in listening:
                    task.cancel()
                await asyncio.gather(*listening, return_exceptions=True)
        finally:
            for client in clients:
                await client.aclose()

    assert len(serving) == 2, serving
    # Each process's /health counts its own subscriptions: whichever answers, its count and
    # the other's make up all the sockets.
    split = sorted(set(held))
    assert split in ([sockets // 2], [min(split), sockets - min(split)]), held
    print(f"\nsubscriptions per process, as /health answered: {held}")
    for samples in scrapes:
        # Whichever process answers, it sums them all.
        assert value(samples, "reports_subscriptions_active") == sockets
        assert value(samples, "reports_websocket_connections_active") == sockets
        typename = value(
            samples, "reports_graphql_requests_total", operation_type="query", status="ok"
        ) - value(before, "reports_graphql_requests_total", operation_type="query", status="ok")
        assert typename == queries
    timings.sort()
    print(
        f"\n/metrics scrape, 2 API processes: p50 {timings[len(timings) // 2] * 1000:.1f} ms, "
        f"max {timings[-1] * 1000:.1f} ms"
    )


def _api_processes(pid: int) -> list[str]:
    """The processes `reports api` started that serve the app (uvicorn's; not
    multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        child
        for child in children
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


async def _listen(client: ReportsClient) -> None:
    async for _ in client.subscribe(WATCH_JOBS):
        pass


async def _subscriptions_held(url: str) -> int:
    async with httpx.AsyncClient() as fresh:
        held: int = (await fresh.get(f"{url}/health")).json()["subscriptions"]
        return held


def _timed_scrape(url: str) -> float:
    started = time.perf_counter()
    httpx.get(f"{url}/metrics", timeout=10).raise_for_status()
    return time.perf_counter() - started


async def test_a_worker_metrics_port_in_use_is_refused_at_start(stack: StackFactory) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        lab = await stack("metrics-port-taken", metrics_port=taken.getsockname()[1])
        started = await asyncio.create_subprocess_exec(
            *REPORTS_COMMAND,
            "worker",
            env=service_env(lab),
            cwd=PROJECT_ROOT,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(started.communicate(), timeout=60)
    assert started.returncode == 2
    message = stderr.decode()
    assert f"METRICS_PORT {lab.metrics_port}" in message
    assert "each worker on a machine needs a port of its own" in message
    assert "Traceback" not in message


def test_bad_worker_counts_for_the_api_are_refused() -> None:
    for bad in ("0", "-1", "two"):
        refused = subprocess.run(
            [*REPORTS_COMMAND, "api", "--workers", bad],
            capture_output=True,
            cwd=PROJECT_ROOT,
            check=False,
        )
        assert refused.returncode == 2
        assert b"--workers: must be a whole number of at least 1" in refused.stderr


def test_a_dead_api_process_gauges_are_forgotten_and_its_counts_kept(tmp_path: Path) -> None:
    """Pins prometheus_client's multiprocess files (UPGRADING.md): a process's live gauges
    are in gauge_live*_<pid>.db, which /metrics drops once the process is gone."""
    env = {**os.environ, METRICS_DIRECTORY_VARIABLE: str(tmp_path)}
    counting = (
        "from models import metrics; "
        "metrics.subscriptions_active.inc(3); metrics.job_retries_total.inc(2)"
    )
    subprocess.run([sys.executable, "-c", counting], env=env, cwd=PROJECT_ROOT, check=True)
    dead_gauges = {path.name for path in tmp_path.iterdir() if path.name.startswith("gauge_live")}
    assert dead_gauges, "the process's live gauges are in files of their own"
    scraping = (
        "import sys; from schema.http.metrics import _exposition; "
        "sys.stdout.buffer.write(_exposition([]))"
    )
    scraped = subprocess.run(
        [sys.executable, "-c", scraping], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True
    )
    samples = parse(scraped.stdout.decode())
    # The scraping process's own gauges say 0; the dead one's 3 is gone with its file.
    assert value(samples, "reports_subscriptions_active") == 0
    assert value(samples, "reports_job_retries_total") == 2
    assert not dead_gauges & {path.name for path in tmp_path.iterdir()}


def test_the_dashboard_asks_only_for_metrics_we_export() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [
        target["expr"]
        for panel in _panels(dashboard["panels"])
        for target in panel.get("targets", [])
    ]
    assert expressions, "the dashboard shows something"
    asked = {name for expr in expressions for name in METRIC_NAME.findall(expr)}
    declared = declared_metrics()
    exported = set().union(*declared.values())
    assert asked <= exported, f"not exported: {asked - exported}"
    unshown = {name for name, series in declared.items() if not series & asked}
    assert not unshown, f"exported but not on the dashboard: {unshown}"


def test_the_scrape_config_names_the_api_and_the_workers() -> None:
    text = SCRAPE_CONFIG.read_text()
    assert "metrics_path: /metrics" in text
    assert "job_name: reports-api" in text and "job_name: reports-worker" in text


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for panel in panels:
        found.append(panel)
        found.extend(_panels(panel.get("panels", [])))
    return found
