"""CSV: UTF-8 without BOM, header first, RFC 4180 quoting, written as rows arrive."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import Sequence
from typing import Any, ClassVar

from workers.csv_safety import neutralised
from workers.renderers.base import (
    DocumentInfo,
    RenderProgress,
    RenderResources,
    progress_unfollowed,
)
from workers.reports.base import Row
from workers.storage import ReportFile, ReportStream, SerialFileIO


class CsvRenderer:
    max_chunk_rows: ClassVar[int | None] = None

    def __init__(
        self,
        output: ReportFile,
        info: DocumentInfo,
        resources: RenderResources,
        io: SerialFileIO,
        *,
        progress: RenderProgress = progress_unfollowed,
    ) -> None:
        # No work of its own to tell `progress` of: rows are written as they are read.
        self._output = output
        self._info = info
        self._stream: ReportStream | None = None
        # The write of a block of encoded CSV still running (write_csv).
        self._writing: asyncio.Future[None] | None = None
        # Indexes of the columns whose cells a spreadsheet must not run as formulas.
        self._free_text = frozenset(
            index for index, name in enumerate(info.columns) if name in info.free_text_columns
        )

    @staticmethod
    def work(rows: int) -> float:
        """Nothing beyond writing the rows as they are read."""
        return 0.0

    async def expect_rows(self, rows: int) -> None:
        """CSV has no row limit: it streams."""

    async def write_rows(self, rows: list[Row]) -> None:
        await self._ensure_started()
        if rows:
            await self._write(rows)

    async def write_csv(self, data: bytes) -> None:
        """Append records already encoded as this file's CSV (from PostgreSQL's COPY).

        The block is written while the caller fetches the next one; at most one
        write is in flight, so the worker holds two blocks however big the report.
        """
        await self._ensure_started()
        assert self._stream is not None, "write before the file was opened"
        if self._writing is not None:
            await self._writing
        self._writing = asyncio.ensure_future(self._stream.write(data))

    async def finish(self, summary: dict[str, Any]) -> None:
        await self._ensure_started()
        if self._writing is not None:
            # Its failure (a full disk) is the report's.
            await self._writing
        await self.abort()

    async def abort(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            # Whatever it raised is moot once the report is abandoned.
            with contextlib.suppress(Exception):
                await writing
        if self._stream is not None:
            await self._stream.close()
            self._stream = None

    async def _ensure_started(self) -> None:
        if self._stream is None:
            self._stream = await self._output.open_stream()
            await self._write([self._info.columns], header=True)

    async def _write(self, rows: Sequence[Sequence[str]], *, header: bool = False) -> None:
        assert self._stream is not None, "write before the file was opened"
        if not header and self._free_text:
            rows = [
                [
                    neutralised(cell) if index in self._free_text else cell
                    for index, cell in enumerate(row)
                ]
                for row in rows
            ]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        # Local writes go to a thread, S3 parts over the network: neither stalls the loop.
        await self._stream.write(buffer.getvalue().encode("utf-8"))
