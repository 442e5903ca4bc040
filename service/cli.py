"""The `reports` command: run the API, the worker, migrations, or everything at once; and,
for people and scripts, use a running service (client/cli/)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence

from client.cli.commands import add_user_commands
from client.cli.run import run_user_command
from models.settings import (
    ENVIRONMENT_VARIABLES,
    METRICS_DIRECTORY_VARIABLE,
    Settings,
    SettingsError,
    get_settings,
)
from service.logs import configure_logging, logging_config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOG_LEVEL_VARIABLE = ENVIRONMENT_VARIABLES["log_level"]
# Every command that logs reads these, whatever else it reads.
LOG_SETTINGS = ("log_level", "log_format")
# A setting refused at start-up (argparse's own exit code for a bad command line).
EXIT_BAD_SETTINGS = 2
# On SIGTERM uvicorn waits for the requests in flight. A subscription over HTTP
# is a response that never ends, so with one open the API never exited; this
# lets ordinary requests and downloads finish, then cuts what is left.
API_SHUTDOWN_GRACE_SECONDS = 5

ALL_SETTINGS = tuple(ENVIRONMENT_VARIABLES)
CONFIGURATION = 'What each setting means: README.md, "Configuration".'


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Option defaults shown; descriptions and the environment listing kept as written."""


def environment_help(
    settings: Iterable[str], command_defaults: Mapping[str, str] | None = None
) -> str:
    """The environment variables of these Settings fields, and the logging ones, with their
    defaults (`command_defaults`: Settings fields whose default the command chooses itself)."""
    defaults = Settings().to_environ()
    defaults[ENVIRONMENT_VARIABLES["log_format"]] = "text in development, else json"
    for field_name, default in (command_defaults or {}).items():
        defaults[ENVIRONMENT_VARIABLES[field_name]] = default
    names = list(dict.fromkeys([*settings, *LOG_SETTINGS]))
    variables = [ENVIRONMENT_VARIABLES[name] for name in names]
    width = max(len(variable) for variable in variables)
    lines = [f"  {v:<{width}}  {defaults[v] or '(unset)'}" for v in variables]
    return "\n".join(["environment (read at start-up; unset or empty: the default):", *lines])


def run_api(host: str, port: int, fd: int | None, workers: int = 1) -> None:
    """uvicorn serving the app; `workers` > 1: that many processes behind the one socket."""
    if workers > 1:
        with _metrics_directory():
            _run_uvicorn(host, port, fd, workers)
    else:
        # One process counts in memory: no directory, even one set by hand, whose files
        # (of earlier runs) it would sum.
        os.environ.pop(METRICS_DIRECTORY_VARIABLE, None)
        _run_uvicorn(host, port, fd, workers)


@contextlib.contextmanager
def _metrics_directory() -> Iterator[None]:
    """A fresh directory where the API's processes keep their Prometheus counts, so that
    any of them serves the sum at /metrics (models/metrics.py); removed at exit.

    Set before anything imports prometheus_client (it decides its mode on import), and
    inherited by uvicorn's processes."""
    directory = tempfile.mkdtemp(prefix="reports-api-metrics-")
    os.environ[METRICS_DIRECTORY_VARIABLE] = directory
    try:
        yield
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run_uvicorn(host: str, port: int, fd: int | None, workers: int) -> None:
    import uvicorn

    from service.http_deadlines import SETTINGS_PROTOCOL_PATH

    settings = get_settings()
    uvicorn.run(
        "app:create_app",
        factory=True,
        host=host,
        port=port,
        fd=fd,
        workers=workers,
        log_level=settings.log_level.lower(),
        # Ours, not uvicorn's: its lines in the same format, redacted, with request ids.
        log_config=logging_config(settings),
        # No `server: uvicorn` banner for scanners to match against known flaws.
        server_header=False,
        # Past this many connections (WebSockets and HTTP) at once, 503.
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=settings.keep_alive_seconds,
        http=SETTINGS_PROTOCOL_PATH,
        timeout_graceful_shutdown=API_SHUTDOWN_GRACE_SECONDS,
        # Job events are a few hundred bytes: compressing them saves little, and each
        # compressed WebSocket would hold its own zlib state (hundreds of KB).
        ws_per_message_deflate=False,
    )


def run_worker() -> int:
    from workers.metrics_server import MetricsPortUnavailableError
    from workers.supervisor import run_worker_forever

    try:
        run_worker_forever(get_settings())
    except MetricsPortUnavailableError as exc:
        print(f"reports worker: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    return 0


def run_migrate() -> None:
    from models.database import migrate_database

    asyncio.run(migrate_database(get_settings().database_url))


def print_schema() -> None:
    from schema.root import schema

    sys.stdout.write(schema.as_str() + "\n")


def _process_count(raw: str) -> int:
    try:
        count = int(raw)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {raw!r}")
    return count


def _add_listen_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--host", default=DEFAULT_HOST, help="address to serve on")
    command.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to serve on")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reports",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog="Settings come from environment variables: `reports <command> --help` lists "
        f"those the command reads, with their defaults. {CONFIGURATION}",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    def add(name: str, summary: str, description: str, environment: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=description,
            epilog=f"{environment}\n\n{CONFIGURATION}",
            formatter_class=HelpFormatter,
        )

    dev = add(
        "dev",
        "run everything for local development",
        "Runs everything a newcomer needs, in one terminal: the Redis on 127.0.0.1:6379 if\n"
        "one answers, else a private redis-server (stopped on exit); SQLite under ./data/\n"
        "unless DATABASE_URL is set; migrations; the API (serving the web app) and one worker.\n"
        "Prints where to open the app and GraphiQL once the API it started answers.\n"
        "Ctrl-C (or SIGTERM) stops everything.\n"
        "Exits non-zero, saying why, if the port is taken or any part fails to start.",
        environment_help(
            ALL_SETTINGS,
            command_defaults={
                "redis_url": "the server on 127.0.0.1:6379 if one answers, else a private one"
            },
        ),
    )
    _add_listen_options(dev)
    api = add(
        "api",
        "serve the GraphQL API under uvicorn",
        "Serves GraphQL over HTTP and WebSocket at /graphql, report downloads and /health\n"
        "under uvicorn (as `uvicorn app:create_app --factory` does). Run `reports migrate`\n"
        f"first. On SIGTERM, requests in flight get {API_SHUTDOWN_GRACE_SECONDS:g} s to finish.",
        environment_help(ALL_SETTINGS),
    )
    _add_listen_options(api)
    api.add_argument(
        "--fd",
        type=int,
        help="serve on this already listening socket instead of --host and --port "
        "(how `reports dev` hands over the port it checked; also for socket activation)",
    )
    api.add_argument(
        "--workers",
        type=_process_count,
        default=1,
        help="API processes serving the one port (with --fd too); /metrics in any of them "
        "counts them all",
    )
    worker = add(
        "worker",
        "build reports from the queue (an arq worker)",
        "Builds the reports enqueued by the API, and sweeps for jobs to retry or take back.\n"
        "Keeps going through Redis outages. On SIGTERM or SIGINT it takes no new jobs, lets\n"
        "running ones finish within SHUTDOWN_GRACE_SECONDS, hands the rest back to the\n"
        "queue, and exits as soon as none is left.",
        environment_help(ALL_SETTINGS),
    )
    worker.add_argument(
        "--check",
        action="store_true",
        help="run no worker: exit 0 if a worker of REPORTS_QUEUE on this machine has beaten "
        "within WORKER_HEARTBEAT_TIMEOUT_SECONDS, else 1 (a container's health check)",
    )
    add(
        "migrate",
        "create or upgrade the database schema",
        "Creates or upgrades the database schema; run it before `api` and `worker`.",
        environment_help(["database_url"]),
    )
    add(
        "schema",
        "print the GraphQL SDL",
        "Prints the GraphQL SDL; `reports schema > schema.graphql` refreshes the checked-in copy.",
        "environment: none read.",
    )

    def add_user_command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    add_user_commands(add_user_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "handler", None) is not None:
        # A client of a running service: it neither logs nor reads the server's settings.
        return run_user_command(args)
    if args.command == "schema":
        # It reads no environment; a warning while building the schema is still shown.
        configure_logging(Settings())
    elif args.command != "dev":
        # `reports dev` says what it does itself; its processes log on their own.
        try:
            configure_logging(get_settings())
        except SettingsError as exc:
            print(f"reports {args.command}: {exc}", file=sys.stderr)
            return EXIT_BAD_SETTINGS
    if args.command == "api":
        run_api(args.host, args.port, args.fd, args.workers)
    elif args.command == "worker":
        if args.check:
            from service.worker_check import check_worker

            return check_worker(get_settings())
        return run_worker()
    elif args.command == "migrate":
        run_migrate()
    elif args.command == "schema":
        print_schema()
    elif args.command == "dev":
        from service.dev import run_dev

        return run_dev(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
