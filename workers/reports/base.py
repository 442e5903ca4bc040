"""What every report kind provides to the renderers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

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
    # What work_total() counts, as progress messages name it: "rows" where they are the
    # report's rows, else what the rows are made from ("line items").
    work_unit: ClassVar[str]
    # Headline of the stage shown while reading, e.g. "Reading orders".
    reading_message: ClassVar[str]
    # Columns holding what users typed (names, emails, SKUs): in a CSV, a cell of
    # one that a spreadsheet would run as a formula is written as text (csv_safety.py).
    free_text_columns: ClassVar[frozenset[str]]

    def __init__(self, scope: ReportScope, batch_size: int) -> None: ...

    async def work_total(self) -> int: ...

    def chunks(self) -> AsyncIterator[RowChunk]: ...

    def summary(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class CopyPlan:
    """A report PostgreSQL can write as CSV by itself (COPY), far faster than row by row.

    `rows_sql` selects the report's rows with every column already the text the
    file holds; `totals_sql` answers one row: `rows` (how many rows), and what
    `summary` turns into the report's totals. Both take `args`.
    """

    rows_sql: str
    totals_sql: str
    args: tuple[Any, ...]
    summary: Callable[[Mapping[str, Any]], dict[str, Any]]


@runtime_checkable
class CopyableReport(Protocol):
    """A builder whose CSV PostgreSQL can write (see workers/csv_copy.py)."""

    def copy_plan(self) -> CopyPlan: ...
