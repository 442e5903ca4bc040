"""Where report files live, and how they get there: a temp file, then a rename."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from uuid import UUID, uuid4

from models.report_jobs import ReportFormat

TEMP_SUFFIX = ".part"


def report_path(reports_dir: Path, job_id: UUID | str, report_format: ReportFormat) -> Path:
    """The final path of a job's file: REPORTS_DIR/<format>/<job id>.<ext>."""
    return reports_dir / report_format.extension / f"{job_id}.{report_format.extension}"


def temp_path_for(final: Path) -> Path:
    """A unique sibling of `final`, so two attempts never write the same temp file."""
    return final.with_name(f"{final.name}.{uuid4().hex}{TEMP_SUFFIX}")


async def prepare_directory(final: Path) -> None:
    await asyncio.to_thread(final.parent.mkdir, parents=True, exist_ok=True)


async def publish_file(temp: Path, final: Path) -> int:
    """Atomically move a finished temp file into place; returns its size in bytes."""
    size = (await asyncio.to_thread(os.stat, temp)).st_size
    await asyncio.to_thread(os.replace, temp, final)
    return size


async def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        await asyncio.to_thread(path.unlink)
