"""`reports dev` run as a newcomer runs it, in a folder of the test's own."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from service.embedded_redis import free_port
from service.processes import REPORTS_COMMAND

DEV_START_SECONDS = 60
DEV_STOP_SECONDS = 30


def dev_env() -> dict[str, str]:
    """The developer's environment, minus what `reports dev` fills in by itself."""
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
    return env


def start_dev(cwd: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*REPORTS_COMMAND, "dev", "--port", str(port)],
        cwd=cwd,
        env=dev_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until_graphiql(process: subprocess.Popen[str], printed: list[str]) -> None:
    """Collect the output into `printed` until the GraphiQL line."""
    assert process.stdout is not None
    deadline = time.monotonic() + DEV_START_SECONDS
    while not any("GraphiQL:" in line for line in printed):
        line = process.stdout.readline()
        if (not line and process.poll() is not None) or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("reports dev did not start:\n" + "".join(printed))
        printed.append(line)


def stop_dev(process: subprocess.Popen[str]) -> None:
    """Ctrl-C, which must stop everything and exit 0."""
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(timeout=DEV_STOP_SECONDS) == 0
    finally:
        if process.poll() is None:
            process.kill()


@contextlib.contextmanager
def running_dev(cwd: Path) -> Iterator[tuple[str, list[str]]]:
    """`reports dev` on a free port, from `cwd`: its URL, and what it printed as it started."""
    port = free_port()
    process = start_dev(cwd, port)
    printed: list[str] = []
    read_until_graphiql(process, printed)
    try:
        yield f"http://127.0.0.1:{port}", printed
    finally:
        stop_dev(process)
