"""Every change to an account's jobs, in a process of its own: `id status time` per event.

python -m bench.jobs_listener BASE_URL TOKEN
"""

from __future__ import annotations

import asyncio
import sys
import time

from client.graphql_client import ReportsClient

WATCH = "subscription { reportJobs { id status } }"


async def listen(base_url: str, token: str) -> None:
    async with ReportsClient(base_url, token=token) as client:

        async def consume() -> None:
            async for event in client.subscribe(WATCH):
                job = event["reportJobs"]
                print(job["id"], job["status"], f"{time.time():.6f}", flush=True)

        consuming = asyncio.create_task(consume())
        await asyncio.sleep(0.5)  # connected and subscribed by now, on loopback
        print("ready", flush=True)
        await consuming


if __name__ == "__main__":
    asyncio.run(listen(*sys.argv[1:3]))
