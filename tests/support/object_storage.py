"""S3-compatible storage for tests: moto's standalone server, a real HTTP server in a
process of its own, and a client to look into its buckets."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import httpx
from aiobotocore.session import get_session

from service.embedded_redis import LOOPBACK

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

# moto takes parts this small (S3 itself wants 5 MiB), so a test's report of a few
# hundred KB goes up in several parts, as a big one does with the real part size.
PART_MIN_BYTES = 1024
START_SECONDS = 30.0
CREDENTIALS = {"aws_access_key_id": "test-key-id", "aws_secret_access_key": "test-secret-key"}
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 server on a free loopback port; its endpoint URL. Stopped on leaving."""
    port = _free_port()
    env = {"S3_UPLOAD_PART_MIN_SIZE": str(PART_MIN_BYTES), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto's server did not start")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(endpoint, timeout=1.0)
                break
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def s3_settings(endpoint: str, bucket: str, **overrides: Any) -> dict[str, Any]:
    """Settings overrides that put a stack's report files in `bucket` under reports/."""
    return {
        "storage_url": f"s3://{bucket}/reports",
        "s3_endpoint_url": endpoint,
        "aws_region": REGION,
        **CREDENTIALS,
        **overrides,
    }


@contextlib.asynccontextmanager
async def s3_client(endpoint: str) -> AsyncIterator[S3Client]:
    session = get_session()
    async with session.create_client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["aws_access_key_id"],
        aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
    ) as client:
        yield client


async def new_bucket(client: S3Client) -> str:
    bucket = f"reports-{uuid.uuid4().hex[:12]}"
    await client.create_bucket(Bucket=bucket)
    return bucket


async def object_keys(client: S3Client, bucket: str) -> list[str]:
    listed = await client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


async def upload_keys(client: S3Client, bucket: str) -> list[str]:
    """Keys of the multipart uploads started and neither completed nor aborted."""
    listed = await client.list_multipart_uploads(Bucket=bucket)
    return sorted(upload["Key"] for upload in listed.get("Uploads", []))
