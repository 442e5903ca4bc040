"""The benchmark scripts still run (every figure on a tiny load, in a process of its own;
no timing asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.processes import PROJECT_ROOT

FIGURE_FAMILIES = (
    "push",
    "fan-out",
    "start",
    "small ORDERS CSV",
    "ORDERS CSV,",
    "PDF",
    "createOrder",
    "reportJobs",
    "schedule:",
    "webhook:",
    "web:",
    "worker kill:",
)


# As long as the run itself may take: on a loaded machine it outlasts the default.
@pytest.mark.timeout(600)
def test_benchmarks_run() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    for family in FIGURE_FAMILIES:
        assert any(line.startswith(f"| {family}") for line in table), (family, result.stdout)
