"""Report files on disk: a job's finished files, and temp files of attempts."""

from __future__ import annotations

from pathlib import Path

from models.report_jobs import ReportFormat
from models.settings import Settings
from workers.storage import TEMP_SUFFIX


def _every_file(settings: Settings, pattern: str) -> list[Path]:
    return [
        path
        for report_format in ReportFormat
        for path in (settings.reports_dir / report_format.extension).glob(pattern)
    ]


def report_files(settings: Settings, job_id: str) -> list[Path]:
    """The job's finished files (not temp files) in every format."""
    return [path for path in _every_file(settings, f"{job_id}.*") if TEMP_SUFFIX not in path.name]


def temp_files(settings: Settings) -> list[Path]:
    """Files being written, or left by an attempt that never finished writing."""
    return [path for path in _every_file(settings, "*") if TEMP_SUFFIX in path.name]
