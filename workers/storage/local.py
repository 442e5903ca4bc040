"""Report files on a local or shared disk (file:///path, the default REPORTS_DIR): a temp
file beside the final one, renamed into place."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO
from uuid import UUID

from models.report_jobs import ReportFormat
from workers.storage.base import Download, InUse, LocalDownload, is_report_key, report_key
from workers.storage.files import (
    SerialFileIO,
    format_folders,
    remove_old_temp_files,
    temp_path_for,
)

LIST_BATCH = 500


class LocalStream:
    """Writes go to the file on the attempt's own I/O thread, in order."""

    def __init__(self, file: IO[bytes], io: SerialFileIO) -> None:
        self._file = file
        self._io = io

    async def write(self, data: bytes) -> None:
        await self._io.run(self._file.write, data)

    async def close(self) -> None:
        await self._io.run(self._file.close)


class LocalReportFile:
    def __init__(self, root: Path, key: str, io: SerialFileIO) -> None:
        self.key = key
        self.final = root / key
        self.scratch = temp_path_for(self.final)
        self._io = io

    async def prepare(self) -> None:
        await asyncio.to_thread(self.final.parent.mkdir, parents=True, exist_ok=True)

    async def open_stream(self) -> LocalStream:
        return LocalStream(await self._io.run(self.scratch.open, "wb"), self._io)

    async def publish(self) -> int:
        return await self._io.run(_replace, self.scratch, self.final)

    async def discard_unpublished(self) -> None:
        # Queued behind any write still in flight (SerialFileIO runs them in order).
        await self._io.run(self.scratch.unlink, missing_ok=True)

    async def delete_published(self) -> None:
        await self._io.run(self.final.unlink, missing_ok=True)


def _replace(temp: Path, final: Path) -> int:
    size = os.stat(temp).st_size
    os.replace(temp, final)
    return size


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def report_file(
        self, job_id: UUID | str, report_format: ReportFormat, attempt: int, io: SerialFileIO
    ) -> LocalReportFile:
        return LocalReportFile(self.root, report_key(job_id, report_format, attempt), io)

    async def download(self, key: str, filename: str, media_type: str) -> Download | None:
        path = await asyncio.to_thread(self._servable_path, key)
        return None if path is None else LocalDownload(path)

    async def read(self, key: str, max_bytes: int) -> bytes:
        return await asyncio.to_thread(_read_at_most, self.root / key, max_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread((self.root / key).unlink, missing_ok=True)

    async def delete_job(self, job_id: UUID | str) -> None:
        await asyncio.to_thread(self._delete_job, str(job_id))

    async def remove_abandoned(self, older_than: float, in_use: InUse) -> int:
        # A temp file's age is its last write: one older than any attempt runs is no one's.
        return await asyncio.to_thread(remove_old_temp_files, format_folders(self.root), older_than)

    async def stored_before(self, moment: datetime) -> AsyncIterator[list[str]]:
        keys = await asyncio.to_thread(self._keys_before, moment.timestamp())
        for start in range(0, len(keys), LIST_BATCH):
            yield keys[start : start + LIST_BATCH]

    async def close(self) -> None:
        pass

    def _servable_path(self, key: str) -> Path | None:
        """The file, if it exists inside the root (a key is ours, never the user's)."""
        root = self.root.resolve()
        path = (root / key).resolve()
        if root not in path.parents or not path.is_file():
            return None
        return path

    def _delete_job(self, job_id: str) -> None:
        for folder in format_folders(self.root):
            for path in folder.glob(f"{job_id}.*"):
                path.unlink(missing_ok=True)

    def _keys_before(self, cutoff: float) -> list[str]:
        keys = []
        for folder in format_folders(self.root):
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                key = f"{folder.name}/{path.name}"
                # A file deleted meanwhile (an expiry, a deleteReport) is no one's to delete.
                with contextlib.suppress(FileNotFoundError):
                    if is_report_key(key) and path.stat().st_mtime < cutoff:
                        keys.append(key)
        return keys


def _read_at_most(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as file:
        content = file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValueError(f"{path.name} is larger than {max_bytes} bytes")
    return content
