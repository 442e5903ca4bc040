"""A subscriber in a process of its own: prints `version receive_time` per event.

python -m bench.ws_listener BASE_URL TOKEN JOB_ID
"""

from __future__ import annotations

import asyncio
import sys
import time

from client.graphql_client import ReportsClient

WATCH = "subscription($id: ID!) { reportJob(id: $id) { version status } }"


async def listen(base_url: str, token: str, job_id: str) -> None:
    async with ReportsClient(base_url, token=token) as client:
        async for event in client.subscribe(WATCH, {"id": job_id}):
            received = time.time()
            print(event["reportJob"]["version"], f"{received:.6f}", flush=True)


if __name__ == "__main__":
    asyncio.run(listen(*sys.argv[1:4]))
