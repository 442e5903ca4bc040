"""The `reports` command: run the API, the worker, migrations, or everything at once."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def run_api(host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(
        "app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=os.environ.get("LOG_LEVEL", "INFO").lower(),
        # Job events are a few hundred bytes: compressing them saves little, and each
        # compressed WebSocket would hold its own zlib state (hundreds of KB).
        ws_per_message_deflate=False,
    )


def run_worker() -> None:
    from models.settings import get_settings
    from workers.supervisor import run_worker_forever

    run_worker_forever(get_settings())


def run_migrate() -> None:
    from models.database import migrate_database
    from models.settings import get_settings

    asyncio.run(migrate_database(get_settings().database_url))


def print_schema() -> None:
    from schema.root import schema

    sys.stdout.write(schema.as_str() + "\n")


def _wait_until_healthy(url: str, api: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    import httpx

    deadline = time.monotonic() + timeout
    while api.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def run_dev(host: str, port: int) -> int:
    """Everything a newcomer needs: Redis and a database if none is set, migrations, API, worker."""
    from service.embedded_redis import EmbeddedRedis, redis_answers

    env = dict(os.environ)
    with ExitStack() as stack:
        if not env.get("REDIS_URL"):
            if redis_answers("127.0.0.1", 6379):
                env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
                print("Redis: using the server on 127.0.0.1:6379", flush=True)
            else:
                redis = stack.enter_context(EmbeddedRedis())
                env["REDIS_URL"] = redis.url
                print(f"Redis: started a private server at {redis.url}", flush=True)
        if not env.get("DATABASE_URL"):
            from models.settings import DEFAULT_SQLITE_PATH

            env["DATABASE_URL"] = f"sqlite://{DEFAULT_SQLITE_PATH}"
            print(f"Database: SQLite at {Path(DEFAULT_SQLITE_PATH).resolve()}", flush=True)
        command = [sys.executable, "-m", "service.cli"]
        subprocess.run([*command, "migrate"], env=env, check=True)
        processes = [
            subprocess.Popen([*command, "api", "--host", host, "--port", str(port)], env=env),
            subprocess.Popen([*command, "worker"], env=env),
        ]
        if _wait_until_healthy(f"http://{host}:{port}/health", processes[0]):
            print(
                f"\nGraphiQL: http://{host}:{port}/graphql  (Ctrl-C stops everything)\n", flush=True
            )
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        while not stopping:
            for process in processes:
                if process.poll() is not None:
                    print(f"{process.args!r} exited with {process.returncode}", flush=True)
                    exit_code = process.returncode or 1
                    stopping = True
            time.sleep(0.2)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        return exit_code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reports", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("api", "serve the GraphQL API (uvicorn)"),
        ("dev", "run everything for local development"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--host", default=DEFAULT_HOST)
        sub.add_argument("--port", type=int, default=DEFAULT_PORT)
    commands.add_parser("worker", help="run a report worker (arq)")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    commands.add_parser("schema", help="print the GraphQL SDL")
    args = parser.parse_args(argv)

    _configure_logging()
    if args.command == "api":
        run_api(args.host, args.port)
    elif args.command == "worker":
        run_worker()
    elif args.command == "migrate":
        run_migrate()
    elif args.command == "schema":
        print_schema()
    elif args.command == "dev":
        return run_dev(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
