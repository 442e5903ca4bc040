"""Local files: temp names beside their final name, and file operations off the event loop
in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

from models.report_jobs import ReportFormat

TEMP_SUFFIX = ".part"
T = TypeVar("T")


def format_folders(root: Path) -> list[Path]:
    """The folder of each report format under `root` (csv/, pdf/)."""
    return [root / report_format.extension for report_format in ReportFormat]


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


def remove_old_temp_files(folders: Iterable[Path], older_than: float) -> int:
    """Delete temp files not written to for `older_than` seconds (left by crashed
    attempts); how many (blocking)."""
    cutoff = time.time() - older_than
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if TEMP_SUFFIX in path.name and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
