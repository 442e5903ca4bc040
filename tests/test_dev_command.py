"""`reports dev`: a newcomer's one command, on the embedded defaults (SQLite), and the truth
about what it runs: its own API on the port it names, or a plain refusal and a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import redis

from client.graphql_client import ReportsClient
from models.report_jobs import ReportFormat, ReportKind
from models.settings import ENVIRONMENT_VARIABLES
from service.cli import LOG_LEVEL_VARIABLE, main
from service.embedded_redis import LOOPBACK, EmbeddedRedis, free_port
from service.processes import REPORTS_COMMAND
from tests.support.clients import register
from tests.support.dev_server import (
    DEV_START_SECONDS,
    dev_env,
    read_until_graphiql,
    start_dev,
    stop_dev,
)
from tests.support.documents import COMPLETE_ORDER, WATCH_JOB
from tests.support.factories import add_product, create_order, request_report
from tests.support.receivers import outbox
from tests.support.waiting import eventually

# How often the impostor below tries to take the port.
GRAB_EVERY_SECONDS = 0.02
IMPOSTOR_HEALTH = {"status": "ok", "server": "impostor"}


class ImpostorHealth(BaseHTTPRequestHandler):
    """Another program's server, healthy by its own account."""

    def do_GET(self) -> None:
        body = json.dumps(IMPOSTOR_HEALTH).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def serve_in_background(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


async def test_dev_runs_everything_on_sqlite(
    dev_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    base_url, printed = dev_server
    output = "".join(printed)
    assert "Database: SQLite at" in output
    assert (tmp_path / "data" / "reports.sqlite3").exists()
    assert f"Open the app: {base_url}/\n" in output
    assert f"GraphiQL: {base_url}/graphql" in output
    mailbox = tmp_path / "data" / "reports" / "outbox"
    said = "Email: no SMTP_HOST, so reports mailed by schedules and deliverTo are written to"
    assert f"{said} {mailbox}/" in output
    async with ReportsClient(base_url) as client:
        await register(client)
        await add_product(client, "D-1", "Dev thing", "3.50", stock=9)
        order = await create_order(client, "Dee", "dee@example.com", [("D-1", 2)])
        await client.execute(COMPLETE_ORDER, {"id": order["id"]})
        finished = {}
        for kind in ReportKind:
            for report_format in ReportFormat:
                deliver_to = [{"email": "dee@example.com"}] if kind is ReportKind.SALES else []
                job = await request_report(
                    client, kind=kind, format=report_format, deliverTo=deliver_to
                )
                events = [
                    e["reportJob"] async for e in client.subscribe(WATCH_JOB, {"id": job["id"]})
                ]
                finished[kind, report_format] = events[-1]
        assert {job["status"] for job in finished.values()} == {"COMPLETED"}, finished
        sales = await client.download(finished[ReportKind.SALES, ReportFormat.CSV]["downloadUrl"])
        rows = list(csv.reader(io.StringIO(sales.text)))
        assert rows[1][1:] == ["1", "2", "7.00", "7.00"]
        pdf = await client.download(finished[ReportKind.INVENTORY, ReportFormat.PDF]["downloadUrl"])
        assert pdf.content.startswith(b"%PDF")
        app = await client.download("/")
        assert app.status_code == 200 and '<div id="root">' in app.text

    # The SALES reports were mailed: into the outbox, each with its file and a link here
    # (beside the sign-up's confirmation).
    messages = await eventually(
        lambda: outbox(mailbox, {"dee@example.com"}),
        lambda found: len(found) == 2,
        what="two reports mailed into the outbox",
    )
    attached = {a.get_content_type() for m in messages for a in m.iter_attachments()}
    assert attached == {"text/csv", "application/pdf"}
    for message in messages:
        body = message.get_body(("plain",))
        assert body is not None and f"{base_url}/downloads/" in body.get_content()


def test_embedded_redis_starts_answers_and_stops() -> None:
    with EmbeddedRedis() as server:
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        client.close()
        url = server.url
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()


def test_a_port_taken_by_another_server_is_refused_plainly(tmp_path: Path) -> None:
    with ThreadingHTTPServer((LOOPBACK, 0), ImpostorHealth) as impostor:
        serve_in_background(impostor)
        port = impostor.server_address[1]
        started = time.monotonic()
        ran = subprocess.run(
            [*REPORTS_COMMAND, "dev", "--port", str(port)],
            cwd=tmp_path,
            env=dev_env(),
            capture_output=True,
            text=True,
            timeout=DEV_START_SECONDS,
        )
        impostor.shutdown()
    output = ran.stdout + ran.stderr
    print(
        f"\nreports dev on a taken port: exit {ran.returncode} after "
        f"{time.monotonic() - started:.1f} s: {ran.stderr.strip()}"
    )
    assert ran.returncode != 0
    assert f"port {port} on {LOOPBACK} is already in use" in ran.stderr
    assert "GraphiQL:" not in output
    assert "Traceback" not in output
    # Refused before starting anything: no Redis, no database, no processes.
    assert "Redis:" not in output and not (tmp_path / "data").exists()


def test_once_started_the_port_is_its_own_api_s(tmp_path: Path) -> None:
    """Another server trying for the port from dev's first line on never gets it, and the
    server answering when dev prints GraphiQL is the API it started.

    (Before, the port stayed free until uvicorn bound it, seconds later: a server that
    took it meanwhile answered the health check, and dev printed its address.)"""
    port = free_port()
    process = start_dev(tmp_path, port)
    printed: list[str] = []
    grabbed: list[ThreadingHTTPServer] = []
    dev_is_up = threading.Event()

    def grab_the_port() -> None:
        while not dev_is_up.is_set():
            try:
                grabbed.append(ThreadingHTTPServer((LOOPBACK, port), ImpostorHealth))
            except OSError:
                time.sleep(GRAB_EVERY_SECONDS)
                continue
            serve_in_background(grabbed[0])
            return

    assert process.stdout is not None
    try:
        printed.append(process.stdout.readline())
        competitor = threading.Thread(target=grab_the_port, daemon=True)
        competitor.start()
        read_until_graphiql(process, printed)
        dev_is_up.set()
        competitor.join()
        health = httpx.get(f"http://{LOOPBACK}:{port}/health").json()
    finally:
        for impostor in grabbed:
            impostor.shutdown()
            impostor.server_close()
        stop_dev(process)
    assert grabbed == [], "another server took the port while dev was starting"
    assert health != IMPOSTOR_HEALTH and "jobEvents" in health


def test_a_part_that_cannot_start_is_named_and_fails_the_command(tmp_path: Path) -> None:
    env = dev_env() | {"ENVIRONMENT": "production"}
    ran = subprocess.run(
        [*REPORTS_COMMAND, "dev", "--port", str(free_port())],
        cwd=tmp_path,
        env={key: value for key, value in env.items() if key != "SECRET_KEY"},
        capture_output=True,
        text=True,
        timeout=DEV_START_SECONDS,
    )
    assert ran.returncode != 0
    assert "reports dev: SECRET_KEY must be set outside development" in ran.stderr
    assert "GraphiQL:" not in ran.stdout and "Traceback" not in ran.stderr


def help_of(capsys: pytest.CaptureFixture[str], *command: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_dev_help_documents_its_options_and_environment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = help_of(capsys, "dev")
    assert "--host HOST" in text and "(default: 127.0.0.1)" in text
    assert "--port PORT" in text and "(default: 8000)" in text
    for variable in [*ENVIRONMENT_VARIABLES.values(), LOG_LEVEL_VARIABLE]:
        assert f"\n  {variable} " in text, f"{variable} is not listed"
    assert "private" in text, "says where Redis comes from when REDIS_URL is unset"


@pytest.mark.parametrize(
    ("command", "variables"),
    [
        (("api",), list(ENVIRONMENT_VARIABLES.values())),
        (("worker",), list(ENVIRONMENT_VARIABLES.values())),
        (("migrate",), [ENVIRONMENT_VARIABLES["database_url"]]),
        (("schema",), []),
    ],
)
def test_every_command_s_help_lists_the_environment_it_reads(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...], variables: list[str]
) -> None:
    text = help_of(capsys, *command)
    assert "environment" in text
    for variable in variables:
        assert f"\n  {variable} " in text, f"{variable} is not listed"


def test_reports_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys)
    for command in ("dev", "api", "worker", "migrate", "schema"):
        assert f"\n    {command} " in text
    assert "--help" in text and "environment" in text
