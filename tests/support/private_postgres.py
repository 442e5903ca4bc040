"""A throwaway PostgreSQL server of the test's own, to stop and start at will."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from models.settings import Settings
from service.embedded_redis import free_port
from service.processes import migrate


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"{name} not found: install PostgreSQL server binaries")
    return found[-1]


class PrivatePostgres:
    """initdb'd into a temp folder, on a free port, trust auth, user postgres."""

    def __init__(self) -> None:
        self.port = free_port()
        self._root = Path(tempfile.mkdtemp(prefix="reports-pg-"))
        self._data = self._root / "data"
        # PostgreSQL refuses to run as root: run it as the postgres user when we are root.
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_postgres:
            shutil.chown(self._root, "postgres")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as_postgres, *command], check=True, capture_output=True)

    def init(self) -> None:
        self._run(_binary("initdb"), "-D", str(self._data), "-U", "postgres", "-A", "trust")

    def start(self) -> None:
        self._run(
            _binary("pg_ctl"),
            "-D",
            str(self._data),
            "-l",
            str(self._root / "log"),
            "-o",
            f"-p {self.port} -k {self._root} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(_binary("pg_ctl"), "-D", str(self._data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> None:
        self._run(
            _binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name
        )

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self._root, ignore_errors=True)


@contextlib.asynccontextmanager
async def on_private_postgres(lab: Settings) -> AsyncIterator[tuple[Settings, PrivatePostgres]]:
    """`lab` moved to a migrated database on a PostgreSQL server of its own, to stop and
    start at will; the server is removed on the way out."""
    postgres = PrivatePostgres()
    try:
        await asyncio.to_thread(postgres.init)
        await asyncio.to_thread(postgres.start)
        await asyncio.to_thread(postgres.create_database, "reports")
        moved = replace(lab, database_url=postgres.url("reports"))
        await asyncio.to_thread(migrate, moved)
        yield moved, postgres
    finally:
        await asyncio.to_thread(postgres.destroy)
