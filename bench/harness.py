"""What every benchmark needs: its own stack, percentiles, and a table to print."""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import asyncpg
import redis

from models.redis_keys import ARQ_JOB_KEY_PREFIXES
from models.settings import Settings
from service.processes import migrate

POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank; NaN when nothing was measured (a smoke run's window on a loaded
    machine can end before a single slow request has finished)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def p50(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p99(values: Sequence[float]) -> float:
    return percentile(values, 0.99)


@dataclass(frozen=True)
class Figure:
    """One line of the table: a measurement beside its anchor from the same run."""

    name: str
    value: float
    unit: str
    anchor_name: str
    anchor: float
    goal: str

    @property
    def ratio(self) -> float:
        return self.value / self.anchor if self.anchor else float("nan")


def print_table(figures: Sequence[Figure]) -> None:
    header = "| figure | value | anchor | anchor value | ratio | goal |"
    print(header)
    print("|---|---|---|---|---|---|")
    for f in figures:
        anchor, ratio = (
            ("—", "—") if f.anchor_name == "—" else (f"{f.anchor:,.2f} {f.unit}", f"{f.ratio:.2f}×")
        )
        print(
            f"| {f.name} | {f.value:,.2f} {f.unit} | {f.anchor_name} | {anchor} | {ratio} | "
            f"{f.goal} |"
        )


@contextlib.asynccontextmanager
async def bench_stack(name: str, **overrides: Any) -> AsyncIterator[Settings]:
    """A database, queue, channel prefix and files of the benchmark's own; removed after."""
    run = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{run}"')
    with TemporaryDirectory(prefix="reports-bench-") as files:
        settings = replace(
            Settings(
                database_url=POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{run}",
                redis_url=REDIS_URL,
                reports_dir=Path(files),
                secret_key=f"bench-secret-{run}",
                environment="test",
                queue_name=f"{run}:queue",
                channel_prefix=run,
                rate_limit_reports=1_000_000,
                rate_limit_logins=1_000_000,
                rate_limit_websockets=1_000_000,
                rate_limit_sockets_per_address=1_000_000,
            ),
            **overrides,
        )
        try:
            migrate(settings)
            yield settings
        finally:
            _forget_redis_keys(settings)
            await admin.execute(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
            await admin.close()


def _forget_redis_keys(settings: Settings) -> None:
    client = redis.Redis.from_url(settings.redis_url)
    try:
        doomed = list(client.scan_iter(match=f"{settings.channel_prefix}*", count=1000))
        # arq's records of every job: the benchmark's Redis DB is its own.
        for arq_prefix in ARQ_JOB_KEY_PREFIXES:
            doomed += list(client.scan_iter(match=f"{arq_prefix}*", count=1000))
        if doomed:
            client.delete(*doomed)
    finally:
        client.close()


@contextlib.contextmanager
def cpu_seconds_of(pid: int) -> Iterator[list[float]]:
    """CPU seconds (user + system) a process spends inside the block."""
    result: list[float] = []
    before = _cpu(pid)
    yield result
    result.append(_cpu(pid) - before)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


@contextlib.contextmanager
def profiled(pid: int, name: str) -> Iterator[None]:
    """With BENCH_PROFILE_DIR set, record py-spy stacks (collapsed) of `pid` inside the block."""
    directory = os.environ.get("BENCH_PROFILE_DIR")
    if not directory:
        yield
        return
    output = Path(directory) / f"{name}.txt"
    # The venv's py-spy (a dev dependency), whether or not the venv is on PATH.
    beside_python = Path(sys.executable).with_name("py-spy")
    recorder = subprocess.Popen(
        [
            str(beside_python) if beside_python.exists() else "py-spy",
            "record",
            "--pid",
            str(pid),
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
