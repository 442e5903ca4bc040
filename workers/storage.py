"""Where report files live, and how they get there: a temp file, then a rename."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid4

from models.report_jobs import ReportFormat

TEMP_SUFFIX = ".part"
T = TypeVar("T")


def report_path(
    reports_dir: Path, job_id: UUID | str, report_format: ReportFormat, attempt: int
) -> Path:
    """REPORTS_DIR/<format>/<job id>.a<attempt>.<ext>: one file per attempt, so an
    attempt that lost its job can never overwrite or delete the winner's file."""
    ext = report_format.extension
    return reports_dir / ext / f"{job_id}.a{attempt}.{ext}"


def remove_job_files(reports_dir: Path, job_id: UUID | str) -> None:
    """Delete every file of a job, finished or temporary, in every format (blocking)."""
    for report_format in ReportFormat:
        for path in (reports_dir / report_format.extension).glob(f"{job_id}.*"):
            path.unlink(missing_ok=True)


def temp_path_for(final: Path) -> Path:
    """A unique sibling of `final`, so two attempts never write the same temp file."""
    return final.with_name(f"{final.name}.{uuid4().hex}{TEMP_SUFFIX}")


class SerialFileIO:
    """One attempt's file operations, run in order on one thread of their own.

    Off the event loop, yet ordered: a clean-up submitted after a cancelled
    write runs after that write, so no temp file can reappear behind it.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-io")

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.submit(function, *args, **kwargs)

    def submit(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> asyncio.Future[T]:
        """Queue the call now (it runs even if the caller is cancelled); await the result."""
        return asyncio.wrap_future(self._executor.submit(function, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=False)


async def prepare_directory(final: Path) -> None:
    await asyncio.to_thread(final.parent.mkdir, parents=True, exist_ok=True)


async def publish_file(io: SerialFileIO, temp: Path, final: Path) -> int:
    """Atomically move a finished temp file into place; returns its size in bytes."""
    return await io.run(_replace, temp, final)


def _replace(temp: Path, final: Path) -> int:
    size = os.stat(temp).st_size
    os.replace(temp, final)
    return size


async def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        await asyncio.to_thread(path.unlink)
