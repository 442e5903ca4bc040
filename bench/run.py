"""Run the benchmarks and print the table.

python -m bench.run          # quick mode: a few minutes
python -m bench.run --full   # the big figures (fan-out to 10,000, a 1,000,000-row CSV, ...)
python -m bench.run --smoke  # every script on a tiny load: do they still work? (CI)
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from bench import (
    api_load,
    big_csv,
    fan_out,
    job_flow,
    pdf_scaling,
    push_latency,
    schedule_delivery,
    web_app,
    worker_kill,
)
from bench.harness import Figure, print_table


@dataclass(frozen=True)
class Loads:
    push_events: int
    subscribers: tuple[int, ...]
    start_requests: int
    throughput_jobs: int
    csv_rows: int
    pdf_rows: tuple[int, int]
    pdf_repeats_once: bool
    api_seconds: float
    occurrences: int
    webhooks: int
    web_jobs: int
    kills: int


QUICK = Loads(500, (1_000,), 200, 200, 100_000, (1_000, 10_000), True, 5, 10, 50, 5, 3)
FULL = Loads(
    2_000, (1_000, 10_000), 200, 1_000, 1_000_000, (1_000, 10_000), False, 10, 20, 200, 20, 10
)
SMOKE = Loads(20, (20,), 10, 20, 1_000, (20, 100), True, 1, 2, 3, 1, 1)


async def run(loads: Loads) -> list[Figure]:
    figures: list[Figure] = []
    figures += await push_latency.measure(events=loads.push_events)
    for subscribers in loads.subscribers:
        figures += await fan_out.measure(subscribers)
    figures += await job_flow.start_latency(requests=loads.start_requests)
    figures += await job_flow.throughput(jobs=loads.throughput_jobs)
    figures += await big_csv.measure(rows=loads.csv_rows)
    figures += await pdf_scaling.measure(loads.pdf_repeats_once, *loads.pdf_rows)
    figures += await api_load.measure(seconds=loads.api_seconds)
    figures += await schedule_delivery.measure(loads.occurrences, loads.webhooks)
    figures += await web_app.measure(loads.web_jobs)
    figures += await worker_kill.measure(kills=loads.kills)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="the big figures (slow)")
    mode.add_argument("--smoke", action="store_true", help="a tiny run: do the scripts work?")
    args = parser.parse_args()
    loads = FULL if args.full else SMOKE if args.smoke else QUICK
    print_table(asyncio.run(run(loads)))


if __name__ == "__main__":
    main()
