"""What every output format provides to the report task."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from workers.failures import PermanentReportError
from workers.reports.base import Row
from workers.storage import SerialFileIO


class ReportTooLargeError(PermanentReportError):
    """The report has more rows than its format can hold."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This report has more than {limit} rows, too many for a PDF; "
            "request it as CSV instead."
        )


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

    # The most rows the format wants read at a time, below READ_CHUNK_ROWS; None for no limit.
    max_chunk_rows: ClassVar[int | None]

    def __init__(
        self, path: Path, info: DocumentInfo, resources: RenderResources, io: SerialFileIO
    ) -> None: ...

    def check_size(self, rows: int) -> None:
        """Raise ReportTooLargeError if a report of `rows` rows cannot be rendered."""

    async def write_rows(self, rows: list[Row]) -> None: ...

    async def finish(self, summary: dict[str, Any]) -> None: ...

    async def abort(self) -> None: ...
