"""`reports dev`: a newcomer's one command, on the embedded defaults (SQLite)."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from client.graphql_client import ReportsClient
from service.embedded_redis import EmbeddedRedis, free_port
from tests.support.clients import register
from tests.support.documents import COMPLETE_ORDER, WATCH_JOB
from tests.support.factories import add_product, create_order, request_report


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "REPORTS_DIR"}
    }
    run = uuid.uuid4().hex[:8]
    # Its own queue and channels, so a developer's own dev server is left alone.
    env.update(
        {"REPORTS_QUEUE": f"reports-devtest-{run}", "REPORTS_CHANNEL_PREFIX": f"devtest-{run}"}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "dev", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while not any("GraphiQL:" in line for line in printed):
        line = process.stdout.readline()
        if (not line and process.poll() is not None) or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("reports dev did not start:\n" + "".join(printed))
        printed.append(line)
    time.sleep(1.5)
    try:
        yield f"http://127.0.0.1:{port}", printed
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert (tmp_path / "data" / "reports.sqlite3").exists()


async def test_dev_runs_everything_on_sqlite(dev_server: tuple[str, list[str]]) -> None:
    base_url, printed = dev_server
    output = "".join(printed)
    assert "Database: SQLite at" in output
    assert f"GraphiQL: {base_url}/graphql" in output
    async with ReportsClient(base_url) as client:
        await register(client)
        await add_product(client, "D-1", "Dev thing", "3.50", stock=9)
        order = await create_order(client, "Dee", "dee@example.com", [("D-1", 2)])
        await client.execute(COMPLETE_ORDER, {"id": order["id"]})
        finished = {}
        for kind in ("ORDERS", "SALES", "INVENTORY", "CUSTOMERS"):
            for report_format in ("CSV", "PDF"):
                job = await request_report(client, kind=kind, format=report_format)
                events = [
                    e["reportJob"] async for e in client.subscribe(WATCH_JOB, {"id": job["id"]})
                ]
                finished[kind, report_format] = events[-1]
        assert {job["status"] for job in finished.values()} == {"COMPLETED"}, finished
        sales = await client.download(finished["SALES", "CSV"]["downloadUrl"])
        rows = list(csv.reader(io.StringIO(sales.text)))
        assert rows[1][1:] == ["1", "2", "7.00", "7.00"]
        pdf = await client.download(finished["INVENTORY", "PDF"]["downloadUrl"])
        assert pdf.content.startswith(b"%PDF")


def test_embedded_redis_starts_answers_and_stops() -> None:
    with EmbeddedRedis() as server:
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        client.close()
        url = server.url
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
