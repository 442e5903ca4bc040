"""PDF: a titled, paginated document, rendered off the event loop in a process pool."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import IO, Any

from workers.renderers.base import DocumentInfo, RenderResources, ReportTooLargeError
from workers.renderers.pdf_document import (
    FOOTER_HTML,
    ROWS_PER_TABLE,
    column_widths,
    header_html,
    render_pdf_file,
    table_html,
)
from workers.reports.base import Row
from workers.storage import SerialFileIO


class PdfRenderer:
    """Buffers the table HTML in a side file, then renders it once the summary is known."""

    def __init__(
        self, path: Path, info: DocumentInfo, resources: RenderResources, io: SerialFileIO
    ) -> None:
        self._io = io
        self._path = path
        self._tables_path = path.with_name(path.name + ".tables.html")
        self._html_path = path.with_name(path.name + ".html")
        self._info = info
        self._resources = resources
        self._pending: list[Row] = []
        self._row_count = 0
        self._tables: IO[str] | None = None
        self._widths: list[int] | None = None

    def check_size(self, rows: int) -> None:
        if rows > self._resources.pdf_max_rows:
            raise ReportTooLargeError(self._resources.pdf_max_rows)

    async def write_rows(self, rows: list[Row]) -> None:
        self._row_count += len(rows)
        self.check_size(self._row_count)
        self._pending.extend(rows)
        while len(self._pending) >= ROWS_PER_TABLE:
            await self._flush_table(self._pending[:ROWS_PER_TABLE])
            del self._pending[:ROWS_PER_TABLE]

    async def finish(self, summary: dict[str, Any]) -> None:
        if self._pending or self._tables is None:
            await self._flush_table(self._pending)
            self._pending = []
        assert self._tables is not None
        await self._io.run(self._tables.close)
        self._tables = None
        await self._io.run(self._assemble_html, header_html(self._info, summary))
        rendering = self._resources.cpu_pool.submit(
            render_pdf_file, str(self._html_path), str(self._path)
        )
        try:
            await asyncio.wrap_future(rendering)
        except asyncio.CancelledError:
            # A render already under way cannot be stopped; drop its output when it ends.
            rendering.add_done_callback(lambda _: self._unlink_all())
            raise
        finally:
            await self._remove_side_files()

    async def abort(self) -> None:
        if self._tables is not None:
            await self._io.run(self._tables.close)
            self._tables = None
        await self._remove_side_files()

    async def _flush_table(self, rows: list[Row]) -> None:
        if self._widths is None:
            # Sized from the first table's rows and kept, so every page lines up.
            self._widths = column_widths(self._info.columns, rows)
        if self._tables is None:
            self._tables = await self._io.run(self._tables_path.open, "w", encoding="utf-8")
        await self._io.run(self._tables.write, table_html(self._info.columns, self._widths, rows))

    def _assemble_html(self, header: str) -> None:
        with (
            self._html_path.open("w", encoding="utf-8") as html,
            self._tables_path.open(encoding="utf-8") as tables,
        ):
            html.write(header)
            while block := tables.read(1 << 20):
                html.write(block)
            html.write(FOOTER_HTML)

    async def _remove_side_files(self) -> None:
        for side_file in (self._tables_path, self._html_path):
            await self._io.run(side_file.unlink, missing_ok=True)

    def _unlink_all(self) -> None:
        for path in (self._path, self._tables_path, self._html_path):
            path.unlink(missing_ok=True)
