"""Run the benchmarks and print the table.

    python -m bench.run          # quick mode: a few minutes
    python -m bench.run --full   # the big figures
"""

from __future__ import annotations

import argparse
import asyncio

from bench import push_latency
from bench.harness import Figure, print_table


async def run(full: bool) -> list[Figure]:
    figures: list[Figure] = []
    figures += await push_latency.measure(events=2000 if full else 500)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the big figures (slow)")
    args = parser.parse_args()
    print_table(asyncio.run(run(args.full)))


if __name__ == "__main__":
    main()
