"""The benchmark scripts still run (a tiny load, in a process of its own; no timing asserted)."""

from __future__ import annotations

import subprocess
import sys

from client.processes import PROJECT_ROOT


def test_benchmarks_run() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    table = [line for line in result.stdout.splitlines() if line.startswith("| push")]
    assert len(table) == 2, result.stdout
