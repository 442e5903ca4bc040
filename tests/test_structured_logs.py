"""What an operator reads: one JSON object per line from the API and the worker, each line
about a job naming it (job, account, attempt), each line about a request naming its id."""

from __future__ import annotations

import json
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from client.graphql_client import GRAPHQL_TRANSPORT_WS, ReportsClient
from models.log_context import about_job
from models.settings import ENVIRONMENT_VARIABLES, Settings
from service.logs import AddLogContext, JsonFormatter, TextFormatter
from service.processes import (
    PROJECT_ROOT,
    REPORTS_COMMAND,
    service_env,
)
from tests.support.clients import register
from tests.support.documents import REPORT_JOB
from tests.support.factories import add_product, completed_order, request_report
from tests.support.logged import logged_service
from tests.support.stacks import StackFactory, fast_recovery
from tests.support.waiting import eventually

HEX_ID = re.compile(r"[0-9a-f]{32}")


def read_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSON log, parsed; fails on any line that is not one JSON object."""
    parsed = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            value = json.loads(line)
        except ValueError:
            pytest.fail(f"{path.name} line {number} is not JSON: {line!r}")
        assert isinstance(value, dict), f"{path.name} line {number}: {line!r}"
        assert {"timestamp", "level", "logger", "message"} <= value.keys(), line
        parsed.append(value)
    return parsed


async def test_api_and_worker_write_json_lines_naming_their_job_and_request(
    stack: StackFactory, tmp_path: Path
) -> None:
    lab = await stack("json-logs", **fast_recovery(log_format="json"))
    with logged_service(lab, tmp_path, "INFO") as service:
        url, api_log, worker_log = service.url, service.api_log, service.worker_log
        async with ReportsClient(url) as client:
            await register(client)
            await add_product(client, "TEA-1", "Green tea", "4.20")
            await completed_order(client, "Zoe", "zoe@example.com", [("TEA-1", 3)])
            job = await request_report(client, kind="ORDERS", format="CSV")
            await eventually(
                lambda: client.execute(REPORT_JOB, {"id": job["id"]}),
                lambda found: found["reportJob"]["status"] == "COMPLETED",
                what="the report completed",
                timeout=60,
            )
            me = await client.execute("{ me { id } }")
        async with httpx.AsyncClient(base_url=url) as http:
            mine = await http.get("/health", headers={"X-Request-ID": "trace-4f2a.9"})
            nonsense = await http.get("/health", headers={"X-Request-ID": "two words"})
            too_long = await http.get("/health", headers={"X-Request-ID": "x" * 129})
            unnamed = await http.get("/health")
        async with websockets.connect(
            url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[GRAPHQL_TRANSPORT_WS],  # type: ignore[list-item]
            additional_headers={"X-Request-ID": "socket-7"},
        ) as socket:
            assert socket.response is not None
            socket_id = socket.response.headers["X-Request-ID"]

    assert mine.headers["X-Request-ID"] == "trace-4f2a.9", "a sane id is kept"
    replaced = [nonsense.headers["X-Request-ID"], too_long.headers["X-Request-ID"]]
    assert all(HEX_ID.fullmatch(made) for made in replaced), replaced
    assert HEX_ID.fullmatch(unnamed.headers["X-Request-ID"]), "a request without one gets one"
    assert socket_id == "socket-7", "the WebSocket's handshake response returns it too"

    api_lines = read_lines(api_log)
    access = [line for line in api_lines if line["logger"] == "uvicorn.access"]
    assert access, "uvicorn's access log is JSON too"
    [health] = [line for line in access if line.get("request_id") == "trace-4f2a.9"]
    assert "/health" in health["message"]
    assert all("request_id" in line for line in access), "every request has an id"
    assert any(line.get("request_id") == replaced[0] for line in access), "the new id is logged"
    assert any(line.get("request_id") == "socket-7" for line in api_lines), "the WebSocket's"

    worker_lines = read_lines(worker_log)
    about = [line for line in worker_lines if line.get("job_id") == job["id"]]
    assert about, "the attempt's lines name its job"
    assert all(line["account_id"] == me["me"]["id"] and line["attempt"] == 1 for line in about)
    assert any("completed" in line["message"] for line in about), about


def record(message: str, *args: object, exc_info: Any = None) -> logging.LogRecord:
    made = logging.LogRecord("workers.tasks", logging.ERROR, __file__, 1, message, args, exc_info)
    AddLogContext().filter(made)
    return made


def test_a_multi_line_message_and_its_traceback_stay_on_one_json_line() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError as exc:
        failure = (type(exc), exc, exc.__traceback__)
    with about_job("job-1", "account-1", 2):
        made = record("first\nsecond %s", "third", exc_info=failure)
    line = JsonFormatter().format(made)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "first\nsecond third"
    assert parsed["level"] == "ERROR" and parsed["logger"] == "workers.tasks"
    assert (parsed["job_id"], parsed["account_id"], parsed["attempt"]) == ("job-1", "account-1", 2)
    assert parsed["exception"].startswith("Traceback") and "ValueError: bad" in parsed["exception"]
    assert parsed["timestamp"].endswith("+00:00"), "UTC"


def test_text_lines_show_the_context_compactly() -> None:
    with about_job("job-1", "account-1", 2):
        made = record("job %s: completed", "job-1")
    line = TextFormatter().format(made)
    assert line.endswith(
        "workers.tasks: job job-1: completed [job=job-1 account=account-1 attempt=2]"
    )
    assert TextFormatter().format(record("no job")).endswith("workers.tasks: no job")


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be json or text, got 'xml'"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_a_bad_log_setting_stops_the_start_saying_why(
    settings: Settings, variable: str, value: str, said: str
) -> None:
    env = service_env(settings)
    env[variable] = value
    assert variable in ENVIRONMENT_VARIABLES.values()
    ran = subprocess.run(
        [*REPORTS_COMMAND, "worker"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 2
    assert f"reports worker: {said}" in ran.stderr
    assert "Traceback" not in ran.stderr
