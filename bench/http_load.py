"""A closed-loop HTTP load generator, in a process of its own.

python -m bench.http_load SPEC_JSON

SPEC_JSON: {"host", "port", "method", "path", "headers", "body", "clients",
"start_at", "warmup", "seconds"}. Each client holds one keep-alive connection
and sends the same request again as soon as the answer is in. Requests are
written and read as raw HTTP/1.1 on asyncio streams, the lightest client there
is in Python, so that the generator's own CPU stays small beside the server's.
Clients connect, wait for the wall-clock `start_at`, run `warmup` seconds
unrecorded, then `seconds` recorded. Prints one JSON line: latencies (ms) of
the requests that finished inside the recorded window, errors, and this
process's CPU seconds in that window.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


def request_bytes(spec: dict[str, Any]) -> bytes:
    body: bytes = spec.get("body", "").encode()
    lines = [
        f"{spec['method']} {spec['path']} HTTP/1.1",
        f"Host: {spec['host']}:{spec['port']}",
        "Connection: keep-alive",
        *(f"{name}: {value}" for name, value in spec.get("headers", {}).items()),
    ]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one response; every response here has a Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    body = await reader.readexactly(length) if length else b""
    return status, body


class Window:
    """When recording starts and stops, and what was recorded."""

    def __init__(self, start_at: float, warmup: float, seconds: float) -> None:
        # Wall clock to agree with other generator processes; perf_counter after.
        offset = time.perf_counter() - time.time()
        self.record_from = start_at + warmup + offset
        self.record_until = self.record_from + seconds
        self.latencies_ms: list[float] = []
        self.errors = 0
        self.first_error = ""


async def client(spec: dict[str, Any], payload: bytes, window: Window, start_at: float) -> None:
    reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
    await asyncio.sleep(max(0.0, start_at - time.time()))
    try:
        while True:
            sent = time.perf_counter()
            if sent >= window.record_until:
                return
            writer.write(payload)
            status, body = await read_response(reader)
            done = time.perf_counter()
            if window.record_from <= sent and done <= window.record_until:
                # A GraphQL error answers 200 too: look for it in the body.
                if status != 200 or b'"errors"' in body:
                    window.errors += 1
                    window.first_error = window.first_error or body[:300].decode(errors="replace")
                else:
                    window.latencies_ms.append((done - sent) * 1000)
    finally:
        writer.close()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    payload = request_bytes(spec)
    window = Window(spec["start_at"], spec["warmup"], spec["seconds"])
    clients = [
        asyncio.create_task(client(spec, payload, window, spec["start_at"]))
        for _ in range(spec["clients"])
    ]
    offset = time.perf_counter() - time.time()
    await asyncio.sleep(max(0.0, window.record_from - offset - time.time()))
    cpu_before = time.process_time()
    await asyncio.sleep(max(0.0, window.record_until - time.perf_counter()))
    cpu = time.process_time() - cpu_before
    await asyncio.gather(*clients)
    return {
        "latencies_ms": window.latencies_ms,
        "errors": window.errors,
        "first_error": window.first_error,
        "cpu_seconds": cpu,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.loads(sys.argv[1])))), flush=True)
