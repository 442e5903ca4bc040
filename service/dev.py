"""`reports dev`: Redis and a database if none is set, migrations, the API and a worker.

It says what it runs and where, and only what is true: it binds the API's port
itself before starting anything and hands the socket to the API, so the server
answering there is the one it started, and a port already taken is reported
as such before anything else starts.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from models.settings import DEFAULT_SQLITE_PATH, ENVIRONMENT_VARIABLES, Settings, SettingsError
from service.embedded_redis import LOOPBACK, EmbeddedRedis, redis_answers
from service.processes import (
    API_STOP_SECONDS,
    REPORTS_COMMAND,
    ProcessDidNotStopError,
    base_url,
    listen,
    start_api,
    start_worker,
    stop_process,
    wait_until_healthy,
    worker_stop_seconds,
)

EXIT_FAILURE = 1
DEFAULT_REDIS_PORT = 6379
# A cold start imports the schema and opens the database: seconds on a slow machine.
API_START_TIMEOUT_SECONDS = 60.0
# How often the running processes are checked on.
WATCH_SECONDS = 0.2
REDIS_URL = ENVIRONMENT_VARIABLES["redis_url"]
DATABASE_URL = ENVIRONMENT_VARIABLES["database_url"]
PUBLIC_URL = ENVIRONMENT_VARIABLES["public_url"]


class DevError(Exception):
    """Something `reports dev` needs is unavailable or failed; the message says what."""


@dataclass(frozen=True)
class Child:
    name: str
    process: subprocess.Popen[bytes]
    stop_within: float


def run_dev(host: str, port: int) -> int:
    """Run everything until Ctrl-C or SIGTERM; non-zero, with a message, if anything fails."""
    # SIGTERM stops everything just as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    children: list[Child] = []
    try:
        with ExitStack() as resources:
            try:
                _run(host, port, resources, children)
            except KeyboardInterrupt:
                pass
            finally:
                # Stopping is bounded; a second Ctrl-C must not cut it short and
                # leave processes behind.
                for stop_signal in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(stop_signal, signal.SIG_IGN)
                stopped = _stop(children)
    except DevError as exc:
        print(f"reports dev: {exc}", file=sys.stderr, flush=True)
        return EXIT_FAILURE
    return 0 if stopped else EXIT_FAILURE


def _run(host: str, port: int, resources: ExitStack, children: list[Child]) -> NoReturn:
    try:
        listener = resources.enter_context(listen(host, port))
    except OSError as exc:
        raise DevError(_port_unavailable(host, port, exc)) from exc
    url = base_url(listener)
    env = dict(os.environ)
    if not env.get(REDIS_URL):
        env[REDIS_URL] = _redis(resources)
    if not env.get(DATABASE_URL):
        env[DATABASE_URL] = f"sqlite://{DEFAULT_SQLITE_PATH}"
        print(f"Database: SQLite at {Path(DEFAULT_SQLITE_PATH).resolve()}", flush=True)
    if not env.get(PUBLIC_URL):
        # Links in emails and webhooks point at this server.
        env[PUBLIC_URL] = url
    try:
        settings = Settings.from_environ(env)
    except SettingsError as exc:
        raise DevError(str(exc)) from exc
    if not settings.smtp_host:
        print(
            f"Email: no SMTP_HOST, so reports mailed by schedules and deliverTo are written "
            f"to {settings.outbox_dir.resolve()}/ as .eml files (open them in a mail client)",
            flush=True,
        )
    migrated = subprocess.run([*REPORTS_COMMAND, "migrate"], env=env, check=False)
    if migrated.returncode != 0:
        raise DevError(f"`reports migrate` failed (exit code {migrated.returncode}), see above")

    api = start_api(listener, env)
    children.append(Child("the API", api, API_STOP_SECONDS))
    # The API holds the port from now on.
    listener.close()
    children.append(Child("the worker", start_worker(env), worker_stop_seconds(settings)))
    if not wait_until_healthy(url, api, API_START_TIMEOUT_SECONDS):
        if api.poll() is not None:
            raise DevError(f"the API exited with code {api.returncode} before answering, see above")
        raise DevError(f"the API did not answer {url}/health in {API_START_TIMEOUT_SECONDS:g} s")
    print(
        f"\nOpen the app: {url}/\nGraphiQL: {url}/graphql  (Ctrl-C stops everything)\n",
        flush=True,
    )
    while True:
        for child in children:
            if child.process.poll() is not None:
                raise DevError(
                    f"{child.name} exited with code {child.process.returncode}, see above; "
                    "stopped everything"
                )
        time.sleep(WATCH_SECONDS)


def _port_unavailable(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use by another program, so the API "
            f"cannot serve there. Stop that program, or choose another port: "
            f"reports dev --port {port + 1}"
        )
    return f"cannot serve on {host}:{port}: {exc.strerror or exc}"


def _redis(resources: ExitStack) -> str:
    """The Redis on the default port if one answers, else a private one stopped on exit."""
    if redis_answers(LOOPBACK, DEFAULT_REDIS_PORT):
        print(f"Redis: using the server on {LOOPBACK}:{DEFAULT_REDIS_PORT}", flush=True)
        return f"redis://{LOOPBACK}:{DEFAULT_REDIS_PORT}/0"
    try:
        redis = resources.enter_context(EmbeddedRedis())
    except RuntimeError as exc:
        raise DevError(f"could not start a private Redis: {exc}") from exc
    print(f"Redis: started a private server at {redis.url}", flush=True)
    return redis.url


def _stop(children: list[Child]) -> bool:
    """Stop the children, the last started first; False if one had to be killed."""
    stopped = True
    for child in reversed(children):
        try:
            stop_process(child.process, child.stop_within)
        except ProcessDidNotStopError:
            print(
                f"reports dev: {child.name} did not stop within {child.stop_within:g} s; killed it",
                file=sys.stderr,
                flush=True,
            )
            stopped = False
    return stopped
