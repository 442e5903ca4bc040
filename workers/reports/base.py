"""What every report kind provides to the renderers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from models.report_jobs import ReportKind
from workers.reports.scope import ReportScope

Row = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RowChunk:
    """Rows ready to write, and how many units of work (of `work_total`) they took."""

    rows: list[Row]
    work_done: int


class ReportBuilder(Protocol):
    """One report kind: its fixed columns, its rows in chunks, and its totals.

    `summary()` is complete once `chunks()` is exhausted: builders total as they
    stream so that a report is read from the database once.
    """

    kind: ClassVar[ReportKind]
    columns: ClassVar[tuple[str, ...]]
    # True when work_total() is also the number of rows the report will have.
    work_is_rows: ClassVar[bool]
    # Headline of the stage shown while reading, e.g. "Reading orders".
    reading_message: ClassVar[str]

    def __init__(self, scope: ReportScope, batch_size: int) -> None: ...

    async def work_total(self) -> int: ...

    def chunks(self) -> AsyncIterator[RowChunk]: ...

    def summary(self) -> dict[str, Any]: ...
