"""Many reportJob subscribers in one load-generator process, for the fan-out figure.

python -m bench.fan_out_clients WS_URL TOKEN JOB_ID COUNT

Opens COUNT graphql-transport-ws connections, each subscribed to the job, and
prints `ready` once every one has its first event. Then it follows commands on
standard input: `report` prints one JSON line mapping each version seen to the
receive times (one per connection); `close` closes every connection and exits.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections import defaultdict

from websockets.asyncio.client import ClientConnection, connect

WATCH = "subscription($id: ID!) { reportJob(id: $id) { id status progress message version } }"
CONCURRENT_HANDSHAKES = 50


def raise_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Subscribers:
    def __init__(self, ws_url: str, token: str, job_id: str) -> None:
        self._ws_url = ws_url
        self._token = token
        self._job_id = job_id
        self._sockets: list[ClientConnection] = []
        self._readers: list[asyncio.Task[None]] = []
        self.received: dict[int, list[float]] = defaultdict(list)

    async def open(self, count: int) -> None:
        gate = asyncio.Semaphore(CONCURRENT_HANDSHAKES)
        ready: list[asyncio.Future[None]] = []
        loop = asyncio.get_running_loop()

        async def one() -> None:
            first = loop.create_future()
            ready.append(first)
            async with gate:
                socket = await connect(
                    self._ws_url,
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                    compression=None,
                    open_timeout=120,
                    ping_interval=None,
                )
                self._sockets.append(socket)
                await socket.send(
                    json.dumps(
                        {
                            "type": "connection_init",
                            "payload": {"Authorization": f"Bearer {self._token}"},
                        }
                    )
                )
                assert json.loads(await socket.recv())["type"] == "connection_ack"
                await socket.send(
                    json.dumps(
                        {
                            "id": "1",
                            "type": "subscribe",
                            "payload": {"query": WATCH, "variables": {"id": self._job_id}},
                        }
                    )
                )
                self._readers.append(asyncio.create_task(self._read(socket, first)))
                await first

        await asyncio.gather(*(one() for _ in range(count)))

    async def _read(self, socket: ClientConnection, first: asyncio.Future[None]) -> None:
        async for raw in socket:
            at = time.time()
            message = json.loads(raw)
            if message["type"] != "next":
                continue
            if not first.done():
                first.set_result(None)
                continue
            self.received[message["payload"]["data"]["reportJob"]["version"]].append(at)

    async def close(self) -> None:
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*(socket.close() for socket in self._sockets))


async def main(ws_url: str, token: str, job_id: str, count: int) -> None:
    raise_file_limit()
    subscribers = Subscribers(ws_url, token, job_id)
    await subscribers.open(count)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while command := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
        if command == "report":
            print(json.dumps(subscribers.received), flush=True)
        elif command == "close":
            await subscribers.close()
            print("closed", flush=True)
            return


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
