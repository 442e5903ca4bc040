"""The wheel smoke check's client (.ci/wheel_smoke): a new shop orders, asks for a CSV
and a PDF report, watches each to COMPLETED over a WebSocket and downloads it.

It runs on the installed environment only (the wheel's client package and its
dependencies), against the installed `reports api` and `reports worker`.
Usage: python wheel_smoke_client.py <API base URL>
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
import uuid
from typing import Any

import httpx

from client.graphql_client import ReportsClient

START_TIMEOUT_SECONDS = 60
REPORT_TIMEOUT_SECONDS = 120

REGISTER = "mutation($e: String!, $p: String!) { register(email: $e, password: $p) { token } }"
ADD_PRODUCT = """mutation { upsertProduct(input: {sku: "TEA-1", name: "Green tea",
  price: "4.20", stock: 50}) { id } }"""
CREATE_ORDER = """mutation { createOrder(input: {customerName: "Zoe",
  customerEmail: "zoe@example.com", items: [{sku: "TEA-1", quantity: 3}]}) { id } }"""
COMPLETE_ORDER = "mutation($id: ID!) { completeOrder(id: $id) { status } }"
REQUEST_REPORT = """mutation($kind: ReportKind!, $format: ReportFormat!) {
  requestReport(input: {kind: $kind, format: $format, title: "Wheel smoke"}) { id } }"""
WATCH_JOB = """subscription($id: ID!) {
  reportJob(id: $id) { status error rowCount downloadUrl } }"""


async def wait_until_answering(base_url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    async with httpx.AsyncClient() as http:
        while True:
            try:
                if (await http.get(f"{base_url}/health", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the API did not answer within {START_TIMEOUT_SECONDS} s")
            await asyncio.sleep(0.2)


async def watch_to_the_end(client: ReportsClient, job_id: str) -> dict[str, Any]:
    last: dict[str, Any] = {}
    async with asyncio.timeout(REPORT_TIMEOUT_SECONDS):
        async for event in client.subscribe(WATCH_JOB, {"id": job_id}):
            last = event["reportJob"]
    return last


async def main(base_url: str) -> None:
    await wait_until_answering(base_url)
    async with ReportsClient(base_url) as client:
        email = f"smoke-{uuid.uuid4().hex[:8]}@shop.example"
        signed_up = await client.execute(REGISTER, {"e": email, "p": "a long password"})
        client.token = signed_up["register"]["token"]
        await client.execute(ADD_PRODUCT)
        order = (await client.execute(CREATE_ORDER))["createOrder"]
        await client.execute(COMPLETE_ORDER, {"id": order["id"]})
        for kind, report_format, starts_with in (
            ("ORDERS", "CSV", b"order_id,"),
            ("SALES", "PDF", b"%PDF"),
        ):
            variables = {"kind": kind, "format": report_format}
            job = (await client.execute(REQUEST_REPORT, variables))["requestReport"]
            final = await watch_to_the_end(client, job["id"])
            if final.get("status") != "COMPLETED":
                raise SystemExit(f"{kind} {report_format} report ended as {final}")
            download = await client.download(final["downloadUrl"])
            if download.status_code != 200 or not download.content.startswith(starts_with):
                raise SystemExit(f"{kind} {report_format} download: {download.status_code}")
            print(f"{kind} {report_format}: COMPLETED, {len(download.content)} bytes downloaded")
        # The installed package serves the web app it ships, and its assets.
        page = await client.download("/reports")
        script = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
        if page.status_code != 200 or script is None:
            raise SystemExit(f"the web app's page: {page.status_code}")
        asset = await client.download(script.group(1))
        if asset.status_code != 200 or not asset.content:
            raise SystemExit(f"the web app's script {script.group(1)}: {asset.status_code}")
        print(f"web app: served, its script {len(asset.content)} bytes")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
