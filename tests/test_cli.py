"""The `reports` command line for people and scripts, run as a real subprocess against
a real API and worker: sign in, ask for a report and watch it to a downloaded file,
JSON for scripts, and every exit code from a real situation."""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

from client.graphql_client import ReportsClient
from models.settings import Settings
from service.processes import PROJECT_ROOT, running_api, running_worker
from tests.support.clients import PASSWORD, confirm_email, register, token_of
from tests.support.factories import add_product, completed_order, seed_line_items
from tests.support.stacks import StackFactory, fast_recovery

# Chunks of 2 rows held 0.05 s each: a report of N line items runs about N/40 s.
SLOW_ROWS = {"read_chunk_rows": 2, "fault_chunk_delay_seconds": 0.05}


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Service:
    lab: Settings
    url: str


async def cli(*args: str, env: dict[str, str], stdin: str = "", cwd: Path | None = None) -> Ran:
    """`reports ARGS...` in a process of its own, as a person or a script runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
        cwd=cwd or PROJECT_ROOT,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=120)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


def contents(path: Path) -> bytes:
    return path.read_bytes()


def environment(tmp_path: Path, url: str, token: str | None = None) -> dict[str, str]:
    """A config directory of the test's own, the service, and a token if given."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "REPORTS_URL": url, "REPORTS_TOKEN": ""}
    if token is not None:
        env["REPORTS_TOKEN"] = token
    return env


@pytest.fixture(scope="module")
async def service(stack: StackFactory) -> AsyncIterator[Service]:
    lab = await stack("cli", **fast_recovery(**SLOW_ROWS))
    with running_api(lab) as url, running_worker(lab):
        yield Service(lab, url)


@pytest.fixture
async def shop(service: Service) -> AsyncIterator[ReportsClient]:
    async with ReportsClient(service.url) as client:
        await register(client)
        await add_product(client, "CLI-1", "Terminal mug", "9.50", stock=100)
        await completed_order(client, "Ada", "ada@example.com", [("CLI-1", 2)])
        yield client


async def test_login_stores_the_token_privately_and_logout_revokes_it(
    service: Service, shop: ReportsClient, tmp_path: Path
) -> None:
    email = await confirm_email(shop, service.lab.secret_key)
    env = environment(tmp_path, service.url)
    del env["REPORTS_TOKEN"]
    signed_in = await cli(
        "login", "--email", email, "--password-stdin", env=env, stdin=f"{PASSWORD}\n"
    )
    assert signed_in.code == 0, signed_in.stderr
    assert f"Signed in to {service.url} as {email}" in signed_in.stdout
    stored = tmp_path / "config" / "reports" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    token = json.loads(stored.read_text())["token"]

    listed = await cli("jobs", "--json", env=env)
    assert listed.code == 0 and json.loads(listed.stdout) == []

    wrong = await cli("login", "--email", email, "--password-stdin", env=env, stdin="nope\n")
    assert wrong.code == 3 and "Traceback" not in wrong.stderr

    signed_out = await cli("logout", env=env)
    assert signed_out.code == 0 and not stored.exists()
    async with ReportsClient(service.url, token) as revoked:
        answer = await revoked.post("{ me { id } }")
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    after = await cli("jobs", env=env)
    assert after.code == 3
    assert "not signed in" in after.stderr and "reports login" in after.stderr


async def test_signup_signs_in_at_once(service: Service, tmp_path: Path) -> None:
    env = environment(tmp_path, service.url)
    del env["REPORTS_TOKEN"]
    email = f"new-{os.getpid()}-{tmp_path.name}@example.com"
    ran = await cli("signup", "--email", email, "--password-stdin", env=env, stdin=f"{PASSWORD}\n")
    assert ran.code == 0, ran.stderr
    assert "open the link mailed to that address" in ran.stdout
    listed = await cli("jobs", "--json", env=env)
    assert listed.code == 0 and json.loads(listed.stdout) == []


async def test_request_watch_downloads_the_file(
    service: Service, shop: ReportsClient, tmp_path: Path
) -> None:
    env = environment(tmp_path, service.url, token_of(shop))
    ran = await cli(
        "request", "sales", "csv", "--title", "Mugs", "--watch", "--output", str(tmp_path), env=env
    )
    assert ran.code == 0, ran.stderr
    # Not a terminal: plain lines a cron mail can carry, no bar.
    assert "COMPLETED 100%" in ran.stdout and "\x1b[" not in ran.stdout
    downloaded = Path(ran.stdout.strip().splitlines()[-1].removeprefix("Downloaded "))
    assert downloaded.parent == tmp_path
    rows = contents(downloaded).decode().splitlines()
    assert rows[1].endswith(",1,2,19.00,19.00"), rows

    as_json = await cli(
        "request", "ORDERS", "PDF", "--watch", "--json", "--output", str(tmp_path), env=env
    )
    assert as_json.code == 0, as_json.stderr
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert lines[-2]["status"] == "COMPLETED" and lines[-1]["status"] == "COMPLETED"
    assert contents(Path(lines[-1]["path"])).startswith(b"%PDF-")
    progress = [line["progress"] for line in lines[:-1]]
    assert progress == sorted(progress)

    listed = await cli("jobs", "--json", "--limit", "5", env=env)
    jobs = json.loads(listed.stdout)
    assert [job["kind"] for job in jobs] == ["ORDERS", "SALES"]
    shown = await cli("show", jobs[1]["id"], env=env)
    assert "title:      Mugs" in shown.stdout and "COMPLETED 100%" in shown.stdout
    fetched = await cli("download", jobs[0]["id"], "--output", str(tmp_path), "--json", env=env)
    assert contents(Path(json.loads(fetched.stdout)["path"])).startswith(b"%PDF-")


async def test_exit_codes_for_usage_refusals_and_an_unreachable_service(
    service: Service, shop: ReportsClient, tmp_path: Path
) -> None:
    env = environment(tmp_path, service.url, token_of(shop))
    usage = await cli("request", "NOPE", "CSV", env=env)
    assert usage.code == 2 and "invalid choice" in usage.stderr
    refused = await cli(
        "request", "SALES", "CSV", "--from", "2026-02-01", "--to", "2026-01-01", env=env
    )
    assert refused.code == 2 and "(dateFrom)" in refused.stderr
    missing = await cli("cancel", "00000000-0000-0000-0000-000000000000", env=env)
    assert missing.code == 2 and "not found" in missing.stderr
    with running_api(service.lab) as stopped_url:
        pass  # started, then stopped: nothing answers at its address now
    down = await cli("jobs", env={**env, "REPORTS_URL": stopped_url})
    assert down.code == 4 and "is the service running?" in down.stderr
    follow_down = await cli("follow", "some-job", env={**env, "REPORTS_URL": stopped_url})
    assert follow_down.code == 4, follow_down.stderr
    no_scheme = await cli("jobs", "--url", "localhost:8000", env=env)
    assert no_scheme.code == 2 and "is not a service URL" in no_scheme.stderr
    for ran in (usage, refused, missing, down, follow_down, no_scheme):
        assert "Traceback" not in ran.stderr


async def test_a_failed_job_exits_1(stack: StackFactory, tmp_path: Path) -> None:
    lab = await stack("cli-failing", fault_transient_failures=5, max_attempts=1)
    with running_api(lab) as url, running_worker(lab):
        async with ReportsClient(url) as client:
            await register(client)
            env = environment(tmp_path, url, token_of(client))
            ran = await cli("request", "SALES", "CSV", "--watch", env=env)
    assert ran.code == 1, (ran.stdout, ran.stderr)
    assert "FAILED" in ran.stderr and "Traceback" not in ran.stderr


async def test_rate_limited_exits_5(stack: StackFactory, tmp_path: Path) -> None:
    lab = await stack("cli-limited", rate_limit_reports=1)
    with running_api(lab) as url:
        async with ReportsClient(url) as client:
            await register(client)
            env = environment(tmp_path, url, token_of(client))
            first = await cli("request", "SALES", "CSV", env=env)
            second = await cli("request", "SALES", "CSV", env=env)
    assert first.code == 0
    assert second.code == 5 and re.search(r"try again in \d+ s", second.stderr), second.stderr


async def test_the_progress_bar_rises_in_a_terminal(
    service: Service, shop: ReportsClient, tmp_path: Path
) -> None:
    await seed_line_items(shop, 200)
    env = {**os.environ, **environment(tmp_path, service.url, token_of(shop)), "COLUMNS": "100"}
    screen = await asyncio.to_thread(
        run_in_terminal,
        ["-m", "service.cli", "request", "ORDERS", "CSV", "--watch", "--output", str(tmp_path)],
        env,
    )
    shown = [int(value) for value in re.findall(r"(\d+)%", screen)]
    assert shown[-1] == 100, screen
    rising = [value for value in shown if 0 < value < 100]
    assert len(set(rising)) >= 3, screen
    assert "Downloaded" in screen


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """What a person at a terminal sees of `python ARGS`: a real pseudo-terminal."""
    child = pexpect.spawn(
        sys.executable,
        args,
        env=env,
        cwd=str(PROJECT_ROOT),
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 100),
    )
    chunks = list(_read_all(child))
    child.close()
    assert child.exitstatus == 0, "".join(chunks)
    return "".join(chunks)


def _read_all(child: pexpect.spawn) -> Iterator[str]:
    while True:
        try:
            yield child.read_nonblocking(4096, timeout=120)
        except pexpect.EOF:
            return
