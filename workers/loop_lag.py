"""How late the worker's event loop runs its callbacks, for benchmarks (LOOP_LAG_FILE).

A task asks to wake every SAMPLE_SECONDS and notes how much later than asked it
woke: whatever held the loop (rendering, a blocking call) shows as that delay.
Each REPORT_SECONDS it appends one line, `<unix time> <max lag in ms>`, so a
benchmark can read the worst lag within any window of its own.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

SAMPLE_SECONDS = 0.01
REPORT_SECONDS = 0.25


async def record_loop_lag(path: Path) -> None:
    """Run until cancelled, appending the worst lag of each REPORT_SECONDS to `path`."""
    with path.open("a", buffering=1, encoding="ascii") as log:
        worst = 0.0
        window_end = time.monotonic() + REPORT_SECONDS
        while True:
            asked = time.monotonic() + SAMPLE_SECONDS
            await asyncio.sleep(SAMPLE_SECONDS)
            woke = time.monotonic()
            worst = max(worst, woke - asked)
            if woke >= window_end:
                # A few bytes to the page cache: it does not hold the loop measurably.
                log.write(f"{time.time():.3f} {worst * 1000:.2f}\n")
                worst = 0.0
                window_end = woke + REPORT_SECONDS


def max_lag_ms(path: Path, start: float, end: float) -> float:
    """The worst lag recorded in `path` between two unix times (for the benchmark's side)."""
    worst = 0.0
    for line in path.read_text(encoding="ascii").splitlines():
        at, lag = (float(field) for field in line.split())
        if start <= at <= end + REPORT_SECONDS:
            worst = max(worst, lag)
    return worst
