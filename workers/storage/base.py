"""What every storage backend offers: one attempt's report file written as a stream and
published, and finished files read, linked, deleted and listed for clean-up."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from uuid import UUID

from models.report_jobs import ReportFormat
from workers.storage.files import SerialFileIO

# A finished report's key: <format>/<job id>.a<attempt>.<ext> (see report_key).
_EXTENSIONS = "|".join(report_format.extension for report_format in ReportFormat)
_REPORT_KEY = re.compile(rf"^(?:{_EXTENSIONS})/([0-9a-f-]{{36}})\.a(\d+)\.(?:{_EXTENSIONS})$")
# A report's bytes are the account's: no cache along the way keeps them.
REPORT_CACHE_CONTROL = "private, no-store"
# Of keys being written, those a RUNNING attempt is writing now (the sweeper asks the jobs).
InUse = Callable[[list[str]], Awaitable[set[str]]]


def report_key(job_id: UUID | str, report_format: ReportFormat, attempt: int) -> str:
    """<format>/<job id>.a<attempt>.<ext>: one file per attempt, so an attempt that lost
    its job can never overwrite or delete the winner's file. What `file_path` holds."""
    ext = report_format.extension
    return f"{ext}/{job_id}.a{attempt}.{ext}"


def is_report_key(key: str) -> bool:
    """True for a key report_key makes (and nothing else a clean-up might find)."""
    return _REPORT_KEY.match(key) is not None


def key_attempt(key: str) -> tuple[str, int] | None:
    """The job id and attempt number a report key names; None for any other key."""
    found = _REPORT_KEY.match(key)
    return None if found is None else (found[1], int(found[2]))


class ReportStream(Protocol):
    """Bytes of a report, in order, as they are made."""

    async def write(self, data: bytes) -> None: ...

    async def close(self) -> None:
        """No more writes; what was written is not published yet (ReportFile.publish)."""


class ReportFile(Protocol):
    """One attempt's file, from its first byte to its place under `key`.

    A renderer writes it either as a stream (open_stream) or whole to the local
    `scratch` file (a PDF, joined by another process); publish then puts it in
    place. Whatever happens, the task calls discard_unpublished, and
    delete_published unless the attempt completed.
    """

    key: str
    scratch: Path

    async def prepare(self) -> None:
        """Make ready to write (a local folder for the scratch file)."""

    async def open_stream(self) -> ReportStream: ...

    async def publish(self) -> int:
        """Put what was written in place under `key`, atomically; its size in bytes."""

    async def discard_unpublished(self) -> None:
        """Remove what never got published (a temp file, an unfinished upload)."""

    async def delete_published(self) -> None:
        """Remove the published file: the attempt lost its job or never completed it."""


@dataclass(frozen=True, slots=True)
class LocalDownload:
    """The API streams this file itself."""

    path: Path


@dataclass(frozen=True, slots=True)
class RedirectDownload:
    """The client fetches the file from this short-lived URL."""

    url: str


Download = LocalDownload | RedirectDownload


class ReportStorage(Protocol):
    """Where finished report files are kept; chosen by STORAGE_URL (workers/storage/)."""

    def report_file(
        self, job_id: UUID | str, report_format: ReportFormat, attempt: int, io: SerialFileIO
    ) -> ReportFile: ...

    async def download(self, key: str, filename: str, media_type: str) -> Download | None:
        """How a client gets the file under `key` as `filename`; None if it is gone."""

    async def read(self, key: str, max_bytes: int) -> bytes:
        """The whole file under `key`, which the caller knows is at most `max_bytes`
        (ValueError if it is larger after all)."""

    async def delete(self, key: str) -> None:
        """Remove the file under `key`, if it is there."""

    async def delete_job(self, job_id: UUID | str) -> None:
        """Remove every file of a job, finished or unfinished, in every format."""

    async def remove_abandoned(self, older_than: float, in_use: InUse) -> int:
        """Remove what crashed attempts left unpublished (temp files, multipart uploads)
        untouched for `older_than` seconds; how many. Uploads whose key `in_use` names
        are kept whatever their age (some servers do not say when an upload began)."""

    def stored_before(self, moment: datetime) -> AsyncIterator[list[str]]:
        """Keys of finished report files stored before `moment`, in batches."""

    async def close(self) -> None: ...
