"""Report files in S3-compatible object storage (s3://bucket/prefix), for several machines.

A report goes up as it is written: the bytes are held a part at a time
(S3_PART_SIZE_BYTES) and each full part is sent as one part of a multipart
upload, completed when the attempt publishes it; a small report is one
PUT. A PDF, which another process joins into a local file, is sent from that
file the same way. Downloads are presigned GET URLs: the API checks the link
and its owner, then redirects there.

aiobotocore, not boto3: its calls are coroutines on the worker's and API's own
event loop, where boto3's would block it (or need a thread per call).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast
from uuid import UUID

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from models.report_jobs import ReportFormat
from models.settings import Settings
from workers.storage.base import (
    REPORT_CACHE_CONTROL,
    Download,
    InUse,
    RedirectDownload,
    is_report_key,
    report_key,
)
from workers.storage.files import (
    SerialFileIO,
    format_folders,
    remove_old_temp_files,
    temp_path_for,
)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

# Fewer than botocore's legacy default of 5 tries, each bounded: a storage outage
# fails the attempt (retried later by the task) instead of holding it for minutes.
CLIENT_CONFIG = {
    "signature_version": "s3v4",
    "retries": {"max_attempts": 3, "mode": "standard"},
    "connect_timeout": 5,
    "read_timeout": 60,
}


class S3Upload:
    """One object written as a stream: the bytes written since the last part are held,
    and sent as the next part once there are S3_PART_SIZE_BYTES of them (parts may be
    any size from S3's minimum up, so a part is the whole buffer: nothing is copied)."""

    def __init__(
        self, client: S3Client, bucket: str, key: str, content_type: str, part_size: int
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._content_type = content_type
        self._part_size = part_size
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[CompletedPartTypeDef] = []
        self._size = 0
        # A write's part, completion and abort one after another: an abort waits
        # for the part in flight, so no part lands after it.
        self._lock = asyncio.Lock()

    async def write(self, data: bytes) -> None:
        async with self._lock:
            self._buffer += data
            self._size += len(data)
            if len(self._buffer) >= self._part_size:
                await self._send_part()

    async def close(self) -> None:
        """Nothing to flush: the last part goes with complete()."""

    async def complete(self) -> int:
        """Publish the object; its size in bytes."""
        async with self._lock:
            if self._upload_id is None:
                await self._client.put_object(
                    Bucket=self._bucket,
                    Key=self._key,
                    Body=bytes(self._buffer),
                    ContentType=self._content_type,
                )
            else:
                if self._buffer:
                    await self._send_part()
                await self._client.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=self._key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},
                )
            self._buffer = bytearray()
            return self._size

    async def abort(self) -> None:
        """Drop the unfinished upload and the parts already sent."""
        async with self._lock:
            upload_id, self._upload_id = self._upload_id, None
            self._buffer = bytearray()
            if upload_id is not None:
                await _abort_upload(self._client, self._bucket, self._key, upload_id)

    async def _send_part(self) -> None:
        """The buffer, whole, as the next part."""
        if self._upload_id is None:
            created = await self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=self._content_type
            )
            self._upload_id = created["UploadId"]
        body, self._buffer = self._buffer, bytearray()
        number = len(self._parts) + 1
        # botocore takes a bytearray Body as it is (validate.py's blob check); the
        # stubs name bytes only, and bytes(body) would be a copy of a whole part.
        sent = await self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=cast(bytes, body),
        )
        self._parts.append({"ETag": sent["ETag"], "PartNumber": number})


async def _abort_upload(client: S3Client, bucket: str, key: str, upload_id: str) -> None:
    try:
        await client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    except ClientError as exc:
        # Completed or aborted already (by the sweep, or a racing clean-up).
        if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":
            raise


class S3ReportFile:
    """One attempt's object; its scratch file (a PDF's) is local, under REPORTS_DIR."""

    def __init__(
        self, storage: S3Storage, key: str, scratch: Path, io: SerialFileIO, content_type: str
    ) -> None:
        self.key = key
        self.scratch = scratch
        self._storage = storage
        self._io = io
        self._content_type = content_type
        self._upload: S3Upload | None = None
        self._published = False

    async def prepare(self) -> None:
        await asyncio.to_thread(self.scratch.parent.mkdir, parents=True, exist_ok=True)

    async def open_stream(self) -> S3Upload:
        self._upload = self._storage.upload(self.key, self._content_type)
        return self._upload

    async def publish(self) -> int:
        if self._upload is None:
            # Written whole to the scratch file: sent from there, a part at a time.
            self._upload = self._storage.upload(self.key, self._content_type)
            await self._send_scratch(self._upload)
        size = await self._upload.complete()
        self._published = True
        await self._io.run(self.scratch.unlink, missing_ok=True)
        return size

    async def discard_unpublished(self) -> None:
        if self._upload is not None and not self._published:
            await self._upload.abort()
        await self._io.run(self.scratch.unlink, missing_ok=True)

    async def delete_published(self) -> None:
        # Also when a publish was cut short: its completion may have landed.
        if self._upload is not None:
            await self._storage.delete(self.key)

    async def _send_scratch(self, upload: S3Upload) -> None:
        file = await self._io.run(_open_for_reading, self.scratch)
        try:
            while block := await self._io.run(file.read, self._storage.part_size):
                await upload.write(block)
        finally:
            await self._io.run(file.close)


def _open_for_reading(path: Path) -> IO[bytes]:
    return path.open("rb")


class S3Storage:
    def __init__(
        self,
        client: S3Client,
        exit_stack: AsyncExitStack,
        *,
        bucket: str,
        prefix: str,
        scratch_root: Path,
        part_size: int,
        url_seconds: int,
    ) -> None:
        self._client = client
        self._exit_stack = exit_stack
        self.bucket = bucket
        self.prefix = prefix
        self._scratch_root = scratch_root
        self.part_size = part_size
        self._url_seconds = url_seconds

    @classmethod
    async def open(cls, settings: Settings, bucket: str, prefix: str) -> S3Storage:
        config: dict[str, Any] = dict(CLIENT_CONFIG)
        if settings.s3_endpoint_url:
            # Servers other than AWS (MinIO, moto) seldom have a DNS name per bucket.
            config["s3"] = {"addressing_style": "path"}
        exit_stack = AsyncExitStack()
        client = await exit_stack.enter_async_context(
            get_session().create_client(
                "s3",
                endpoint_url=settings.s3_endpoint_url or None,
                region_name=settings.aws_region or None,
                aws_access_key_id=settings.aws_access_key_id or None,
                aws_secret_access_key=settings.aws_secret_access_key or None,
                config=AioConfig(**config),
            )
        )
        return cls(
            client,
            exit_stack,
            bucket=bucket,
            prefix=prefix,
            scratch_root=settings.reports_dir,
            part_size=settings.s3_part_size_bytes,
            url_seconds=settings.s3_presigned_url_seconds,
        )

    def report_file(
        self, job_id: UUID | str, report_format: ReportFormat, attempt: int, io: SerialFileIO
    ) -> S3ReportFile:
        key = report_key(job_id, report_format, attempt)
        scratch = temp_path_for(self._scratch_root / key)
        return S3ReportFile(self, key, scratch, io, report_format.media_type)

    def upload(self, key: str, content_type: str) -> S3Upload:
        return S3Upload(self._client, self.bucket, self.prefix + key, content_type, self.part_size)

    async def download(self, key: str, filename: str, media_type: str) -> Download | None:
        url = await self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self.prefix + key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": media_type,
                "ResponseCacheControl": REPORT_CACHE_CONTROL,
            },
            ExpiresIn=self._url_seconds,
        )
        return RedirectDownload(url)

    async def read(self, key: str, max_bytes: int) -> bytes:
        try:
            answer = await self._client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as exc:
            # As a local file's read says it: the interface's one way to say "gone".
            if exc.response.get("Error", {}).get("Code") == "NoSuchKey":
                raise FileNotFoundError(key) from exc
            raise
        async with answer["Body"] as body:
            if answer["ContentLength"] > max_bytes:
                raise ValueError(f"{key} is larger than {max_bytes} bytes")
            content: bytes = await body.read()
        return content

    async def delete(self, key: str) -> None:
        await self._client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    async def delete_job(self, job_id: UUID | str) -> None:
        for report_format in ReportFormat:
            start = f"{self.prefix}{report_format.extension}/{job_id}."
            async for page in self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start
            ):
                for item in page.get("Contents", []):
                    await self._client.delete_object(Bucket=self.bucket, Key=item["Key"])
            async for upload in self._uploads(start):
                await _abort_upload(self._client, self.bucket, upload["Key"], upload["UploadId"])

    async def remove_abandoned(self, older_than: float, in_use: InUse) -> int:
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        # Only our own: a bucket (or prefix) may be shared with other applications.
        old = [
            upload
            async for upload in self._uploads(self.prefix)
            if upload["Initiated"] < cutoff
            and is_report_key(upload["Key"].removeprefix(self.prefix))
        ]
        live = await in_use([upload["Key"].removeprefix(self.prefix) for upload in old])
        removed = 0
        for upload in old:
            if upload["Key"].removeprefix(self.prefix) not in live:
                await _abort_upload(self._client, self.bucket, upload["Key"], upload["UploadId"])
                removed += 1
        folders = format_folders(self._scratch_root)
        return removed + await asyncio.to_thread(remove_old_temp_files, folders, older_than)

    async def stored_before(self, moment: datetime) -> AsyncIterator[list[str]]:
        async for page in self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        ):
            keys = [
                key
                for item in page.get("Contents", [])
                if item["LastModified"] < moment
                and is_report_key(key := item["Key"].removeprefix(self.prefix))
            ]
            if keys:
                yield keys

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._exit_stack.aclose()

    async def _uploads(self, prefix: str) -> AsyncIterator[Any]:
        async for page in self._client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=prefix
        ):
            for upload in page.get("Uploads", []):
                yield upload
