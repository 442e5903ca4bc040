"""Real `reports` processes (API under uvicorn, worker) for tests, benchmarks and `reports dev`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import redis

from models.redis_keys import arq_health_check_key
from models.settings import Settings
from service.cli import API_SHUTDOWN_GRACE_SECONDS, LOG_LEVEL_VARIABLE
from service.embedded_redis import LOOPBACK

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# -P: the current directory is not searched first, so a folder holding its own
# `models/` or `app.py` cannot stand in for the installed service.
REPORTS_COMMAND: Sequence[str] = (sys.executable, "-P", "-m", "service.cli")

HEALTH_POLL_SECONDS = 0.1
HEALTH_REQUEST_TIMEOUT_SECONDS = 1.0
# After SIGTERM a worker exits as soon as its jobs are done or handed back, so
# within its grace period, plus this to hand back, close its connections and
# render pool and leave the interpreter (measured: 0.2 to 0.5 s; the rest is for
# two loaded cores).
STOP_MARGIN_SECONDS = 5.0
# The API lets requests in flight finish for its grace period, then closes its
# connections and its lifespan's resources (measured: 0.3 s with none in flight).
API_STOP_SECONDS = API_SHUTDOWN_GRACE_SECONDS + STOP_MARGIN_SECONDS


class ProcessDidNotStopError(AssertionError):
    """A process was still running well after SIGTERM: a shutdown fault, not a slow machine."""


def service_env(settings: Settings, log_level: str = "WARNING") -> dict[str, str]:
    """The environment that makes a `reports` process use these settings."""
    env = dict(os.environ)
    env.update(settings.to_environ())
    env[LOG_LEVEL_VARIABLE] = log_level
    return env


def migrate(settings: Settings) -> None:
    """`reports migrate` in its own process (migrating in-process would replace this
    process's Tortoise configuration)."""
    subprocess.run(
        [*REPORTS_COMMAND, "migrate"],
        env=service_env(settings),
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (0: any free port), to hand to `start_api`.

    Whoever starts the API binds its port, so nothing else can take the port in
    between and answer in the API's place. OSError if the port is taken.
    """
    return socket.create_server((host, port))


def base_url(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# `reports worker` and `reports api` run in process groups of their own: stop_process
# can then kill whatever one started, and a Ctrl-C meant for the caller does not
# reach them besides the caller's own SIGTERM (uvicorn takes a second signal as "quit now").


def start_worker(
    env: dict[str, str], cwd: Path | None = None, output: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """A `reports worker` process; its log goes to `output` if given, else where this
    process's goes."""
    return subprocess.Popen(
        [*REPORTS_COMMAND, "worker"],
        env=env,
        cwd=cwd,
        start_new_session=True,
        stdout=output,
        stderr=None if output is None else subprocess.STDOUT,
    )


def start_api(
    listener: socket.socket,
    env: dict[str, str],
    cwd: Path | None = None,
    output: IO[bytes] | None = None,
    workers: int = 1,
) -> subprocess.Popen[bytes]:
    """A `reports api` process (`workers` of them behind it) serving on the listener's
    socket (the caller may close its copy); its log goes to `output` if given, else where
    this process's goes."""
    fd = listener.fileno()
    return subprocess.Popen(
        [*REPORTS_COMMAND, "api", "--fd", str(fd), "--workers", str(workers)],
        env=env,
        cwd=cwd,
        pass_fds=(fd,),
        start_new_session=True,
        stdout=output,
        stderr=None if output is None else subprocess.STDOUT,
    )


def wait_until_healthy(url: str, api: subprocess.Popen[bytes], timeout: float) -> bool:
    """True once the API started by `start_api` answers GET /health; False if it exits
    or times out first.

    It holds its port from the start, so while it runs the answer can only be its own.
    """
    deadline = time.monotonic() + timeout
    while api.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=HEALTH_REQUEST_TIMEOUT_SECONDS).is_success:
                return api.poll() is None
        except httpx.HTTPError:
            pass
        time.sleep(HEALTH_POLL_SECONDS)
    return False


def stop_process(process: subprocess.Popen[bytes], within: float) -> float:
    """SIGTERM a process from `start_worker` or `start_api`; the seconds it took to exit.

    One still running `within` seconds later is killed with every process it
    started, so nothing leaks, and reported as ProcessDidNotStopError: a
    shutdown that hangs is a fault, not something to hide.
    """
    if process.poll() is not None:
        return 0.0
    sent = time.monotonic()
    process.terminate()
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        # A killed worker's render processes would outlive it, blocked for good.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        args = process.args
        command = " ".join(map(str, args)) if isinstance(args, list | tuple) else str(args)
        raise ProcessDidNotStopError(
            f"`{command}` (pid {process.pid}) was still running {within:.0f} s after SIGTERM; "
            "killed it"
        ) from None
    return time.monotonic() - sent


def worker_stop_seconds(settings: Settings) -> float:
    """How long a worker on these settings may take to exit after SIGTERM."""
    return settings.shutdown_grace_seconds + STOP_MARGIN_SECONDS


@contextmanager
def running_worker(
    settings: Settings,
    timeout: float = 30,
    *,
    output: IO[bytes] | None = None,
    log_level: str = "WARNING",
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `reports worker` process, ready once it has written its health check.
    Its log goes to `output` if given, at `log_level`.

    Leaving stops it; one that does not exit within its grace period (plus a
    margin) fails the caller with ProcessDidNotStopError.
    """
    health_key = arq_health_check_key(settings.queue_name)
    client = redis.Redis.from_url(settings.redis_url)
    client.delete(health_key)
    process = start_worker(service_env(settings, log_level), PROJECT_ROOT, output)
    try:
        deadline = time.monotonic() + timeout
        while not client.exists(health_key):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start")
            time.sleep(0.05)
        yield process
    finally:
        client.close()
        stop_process(process, worker_stop_seconds(settings))


@contextmanager
def running_api(settings: Settings, timeout: float = 30, *, port: int = 0) -> Iterator[str]:
    """A real `reports api` (uvicorn) process on `port` (0: any free one); yields its
    base URL."""
    with running_api_process(settings, timeout, port=port) as (url, _):
        yield url


@contextmanager
def running_api_process(
    settings: Settings,
    timeout: float = 30,
    *,
    output: IO[bytes] | None = None,
    log_level: str = "WARNING",
    port: int = 0,
    workers: int = 1,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `reports api` (uvicorn) process, with `workers` processes serving its port;
    yields its base URL and the process. Its log goes to `output` if given, at `log_level`.

    Leaving stops it; one that does not exit promptly fails the caller with
    ProcessDidNotStopError.
    """
    with listen(LOOPBACK, port) as listener:
        url = base_url(listener)
        process = start_api(
            listener, service_env(settings, log_level), PROJECT_ROOT, output, workers
        )
    try:
        if not wait_until_healthy(url, process, timeout):
            raise RuntimeError("the API did not start")
        yield url, process
    finally:
        stop_process(process, API_STOP_SECONDS)
