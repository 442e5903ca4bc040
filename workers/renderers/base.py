"""What every output format provides to the report task."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from workers.failures import PermanentReportError
from workers.reports.base import Row
from workers.storage import ReportFile, SerialFileIO


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
    # Of `columns`, those holding what users typed (ReportBuilder.free_text_columns).
    free_text_columns: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RenderResources:
    """What renderers may use, opened with the worker and closed with it."""

    pdf_max_rows: int
    # CPU-bound rendering runs here, off the worker's event loop.
    cpu_pool: Executor


@dataclass(frozen=True, slots=True)
class RenderStatus:
    """How far a renderer has got with work of its own (a PDF's pages), for the job's progress."""

    # Of ReportRenderer.work(rows), the part finished.
    work_done: float = 0.0
    # What the renderer is doing, counted in what the user gets ("Rendered 3 of 13 pages");
    # None while it cannot say (it does not know yet how many rows are coming).
    stage: str | None = None
    # A stage of the renderer's own begins (a PDF's join): shown however soon after the last event.
    milestone: bool = False


# Awaited by a renderer, from within its own calls (so in order with the task's other
# reports), each time its status changes.
RenderProgress = Callable[[RenderStatus], Awaitable[None]]


async def progress_unfollowed(status: RenderStatus) -> None:
    """A RenderProgress for a renderer whose progress nobody follows."""


class ReportRenderer(Protocol):
    """Writes one report file into `output`, fed rows in order, finished with the summary."""

    # The most rows the format wants read at a time, below READ_CHUNK_ROWS; None for no limit.
    max_chunk_rows: ClassVar[int | None]

    def __init__(
        self,
        output: ReportFile,
        info: DocumentInfo,
        resources: RenderResources,
        io: SerialFileIO,
        *,
        progress: RenderProgress = progress_unfollowed,
    ) -> None: ...

    @staticmethod
    def work(rows: int) -> float:
        """Estimated one-core milliseconds the format spends on a report of `rows` rows beyond
        taking them as they are read (0 where that is all it does), for weighing its progress
        against reading's."""
        ...

    async def expect_rows(self, rows: int) -> None:
        """The report will have `rows` rows (known before reading for some kinds only).

        Raises ReportTooLargeError if the format cannot hold them.
        """

    async def write_rows(self, rows: list[Row]) -> None: ...

    async def finish(self, summary: dict[str, Any]) -> None: ...

    async def abort(self) -> None: ...
