"""What every output format provides to the report task."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from workers.reports.base import Row


class ReportTooLargeError(Exception):
    """The report has more rows than its format can hold; a permanent failure."""


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    title: str
    period: str
    generated_at: datetime
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RenderResources:
    """What renderers may use, opened with the worker and closed with it."""

    pdf_max_rows: int
    # CPU-bound rendering runs here, off the worker's event loop.
    cpu_pool: Executor


class ReportRenderer(Protocol):
    """Writes one report file at `path`, fed rows in order, finished with the summary."""

    def __init__(self, path: Path, info: DocumentInfo, resources: RenderResources) -> None: ...

    async def write_rows(self, rows: list[Row]) -> None: ...

    async def finish(self, summary: dict[str, Any]) -> None: ...

    async def abort(self) -> None: ...
