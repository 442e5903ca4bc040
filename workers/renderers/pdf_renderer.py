"""PDF: pages rendered in batches across the render pool as rows arrive, then joined.

Rows fill whole pages (pdf_document.ROWS_PER_PAGE), so a batch of pages can be
rendered, to a file of its own, as soon as its rows are read, while the next
ones are read and the other pool processes render theirs. Page 1 waits for the
summary, known only once every row is read; it is one page, so the end costs
one short render and the join, which stamps the page numbers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from workers.free_memory import release_free_pages
from workers.pdf_process import join_batches, render_batch
from workers.renderers.base import DocumentInfo, RenderResources, ReportTooLargeError
from workers.renderers.pdf_document import (
    FIRST_PAGE_ROWS,
    ROWS_PER_PAGE,
    batch_html,
    column_widths,
    first_batch_html,
)
from workers.reports.base import Row
from workers.storage import SerialFileIO

# xhtml2pdf takes the same time per row whatever the batch size (about 4 ms on
# one core), but its memory grows with the batch (2 MB a page over the 52 MB of
# its imports): small batches keep each pool process near its idle size.
PAGES_PER_BATCH = 3
BATCH_ROWS = PAGES_PER_BATCH * ROWS_PER_PAGE
# Batches queued or rendering per job: enough to keep every pool process busy,
# few enough that reading waits for rendering (memory stays flat) and that a
# long PDF does not queue ahead of every other job's.
MAX_BATCHES_IN_FLIGHT = 4
# Rows read at a time: reading is far faster than rendering, so a chunk waits in
# the worker, with its rows as read from the database, while the pool renders it.
# Four batches' worth keeps every process fed and the worker within 2 MB of its
# idle size; chunks of READ_CHUNK_ROWS (2,000) grew it by 5 MB (issue 5).
MAX_CHUNK_ROWS = MAX_BATCHES_IN_FLIGHT * BATCH_ROWS


@dataclass(frozen=True, slots=True)
class _Render:
    """A call running (or queued) in the render pool, and the file it writes."""

    path: Path
    future: Future[None]


class PdfRenderer:
    max_chunk_rows: ClassVar[int | None] = MAX_CHUNK_ROWS

    def __init__(
        self, path: Path, info: DocumentInfo, resources: RenderResources, io: SerialFileIO
    ) -> None:
        self._io = io
        self._path = path
        self._info = info
        self._resources = resources
        self._row_count = 0
        self._first_page: list[Row] = []
        self._pending: list[Row] = []
        self._widths: list[int] | None = None
        # Every render started, in page order: page 1 (last to start), then the
        # batches, then the join; abort needs them all.
        self._batches: list[_Render] = []
        self._first: _Render | None = None
        self._join: _Render | None = None

    def check_size(self, rows: int) -> None:
        if rows > self._resources.pdf_max_rows:
            raise ReportTooLargeError(self._resources.pdf_max_rows)

    async def write_rows(self, rows: list[Row]) -> None:
        self._row_count += len(rows)
        self.check_size(self._row_count)
        room = FIRST_PAGE_ROWS - len(self._first_page)
        self._first_page.extend(rows[:room])
        self._pending.extend(rows[room:])
        while len(self._pending) >= BATCH_ROWS:
            batch = self._pending[:BATCH_ROWS]
            del self._pending[:BATCH_ROWS]
            await self._render_batch(batch)

    async def finish(self, summary: dict[str, Any]) -> None:
        if self._pending:
            await self._render_batch(self._pending)
            self._pending = []
        html = first_batch_html(self._info, summary, self._widths_for(()), self._first_page)
        self._first = self._start(render_batch, html, self._batch_path(0))
        parts = [self._first, *self._batches]
        await _all_done(render.future for render in parts)
        # The rows are all rendered and freed: give their pages back before the join,
        # the job's peak, rather than hold them beside it.
        release_free_pages()
        self._join = self._start(join_batches, [str(part.path) for part in parts], self._path)
        await _all_done([self._join.future])
        await self._io.run(_unlink_all, [part.path for part in parts])

    async def abort(self) -> None:
        """Stop what has not started; whatever is rendering removes its file when it ends."""
        renders = [*self._batches, self._first, self._join]
        self._batches, self._first, self._join = [], None, None
        finished: list[Path] = []
        for render in renders:
            if render is None or render.future.cancel():
                continue
            if render.future.done():
                finished.append(render.path)
            else:
                # A render in a pool process cannot be stopped; drop its output when it ends.
                render.future.add_done_callback(partial(_discard_output, render.path))
        await self._io.run(_unlink_all, finished)

    async def _render_batch(self, rows: list[Row]) -> None:
        await self._wait_for_room()
        html = batch_html(self._info.columns, self._widths_for(rows), rows)
        self._batches.append(
            self._start(render_batch, html, self._batch_path(len(self._batches) + 1))
        )

    async def _wait_for_room(self) -> None:
        """Wait until fewer than MAX_BATCHES_IN_FLIGHT batches are unfinished."""
        while True:
            unfinished = [batch.future for batch in self._batches if not batch.future.done()]
            if len(unfinished) < MAX_BATCHES_IN_FLIGHT:
                break
            done, _ = await asyncio.wait(
                [asyncio.wrap_future(future) for future in unfinished],
                return_when=asyncio.FIRST_COMPLETED,
            )
            for batch in done:
                # A failed batch fails the report now, not after every other batch.
                batch.result()

    def _widths_for(self, upcoming: Sequence[Row]) -> list[int]:
        if self._widths is None:
            # Sized from the first page's worth of rows and kept, so every page lines up.
            sample = [*self._first_page, *upcoming][:ROWS_PER_PAGE]
            self._widths = column_widths(self._info.columns, sample)
        return self._widths

    def _start(self, function: Callable[[Any, str], None], source: Any, path: Path) -> _Render:
        """Run `function(source, path)` in the pool: it writes the file at `path`."""
        return _Render(path, self._resources.cpu_pool.submit(function, source, str(path)))

    def _batch_path(self, index: int) -> Path:
        # Beside the temp file, so its name carries the temp suffix: the orphan
        # sweep finds batch files that a crash left behind.
        return self._path.with_name(f"{self._path.name}.batch{index:04d}.pdf")


async def _all_done(futures: Iterable[Future[None]]) -> None:
    """Wait for the pool calls; raise the first failure as soon as it happens.

    asyncio.wait, not gather: a cancelled wait must leave the calls to abort(),
    which knows which of them have files to remove.
    """
    waiting = [asyncio.wrap_future(future) for future in futures]
    await asyncio.wait(waiting, return_when=asyncio.FIRST_EXCEPTION)
    for done in waiting:
        if done.done():
            done.result()


def _discard_output(path: Path, _: Future[None]) -> None:
    path.unlink(missing_ok=True)


def _unlink_all(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
