"""Run the benchmarks and print the table.

python -m bench.run          # quick mode: a few minutes
python -m bench.run --full   # the big figures
"""

from __future__ import annotations

import argparse
import asyncio

from bench import job_flow, push_latency
from bench.harness import Figure, print_table


async def run(full: bool, smoke: bool) -> list[Figure]:
    if smoke:
        return await push_latency.measure(events=20)
    figures: list[Figure] = []
    figures += await push_latency.measure(events=2000 if full else 500)
    figures += await job_flow.start_latency(requests=200)
    figures += await job_flow.throughput(jobs=1000 if full else 200)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the big figures (slow)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run: do the scripts work?")
    args = parser.parse_args()
    print_table(asyncio.run(run(args.full, args.smoke)))


if __name__ == "__main__":
    main()
