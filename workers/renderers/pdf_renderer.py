"""PDF: pages rendered in batches across the render pool as rows arrive, then joined.

Rows fill whole pages (pdf_document.ROWS_PER_PAGE), so a batch of pages can be
rendered, to a file of its own, as soon as its rows are read, while the next
ones are read and the other pool processes render theirs. Page 1 waits for the
summary, known only once every row is read; it is one page, so the end costs
one short render and the join, which stamps the page numbers.

Progress is told as batches finish: pages rendered, of the pages the rows make.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from workers.free_memory import release_free_pages
from workers.pdf_process import join_batches, render_batch
from workers.renderers.base import (
    DocumentInfo,
    RenderProgress,
    RenderResources,
    RenderStatus,
    ReportTooLargeError,
    progress_unfollowed,
)
from workers.renderers.pdf_document import (
    FIRST_PAGE_ROWS,
    ROWS_PER_PAGE,
    batch_html,
    column_widths,
    first_batch_html,
    page_count,
)
from workers.reports.base import Row
from workers.storage import ReportFile, SerialFileIO

# xhtml2pdf takes the same time per row whatever the batch size (about 4 ms on
# one core), but its memory grows with the batch (2 MB a page over the 52 MB of
# its imports): small batches keep each pool process near its idle size.
PAGES_PER_BATCH = 3
BATCH_ROWS = PAGES_PER_BATCH * ROWS_PER_PAGE
# A batch has at most one page for every this many before it, so that no batch is
# more than a tenth of the document and each one finishing is a small step of
# progress: a 600-row PDF (19 pages) goes in one-page batches, not six of three.
# Batches have two pages from page 21 on, three from page 31. A page costs the same
# rendered alone as with two others (250 to 340 ms of CPU a page either way, on a
# loaded machine); joining 300 one-page batches took 0.2 s more than 100 of three.
PAGES_BEFORE_EACH_BATCH_PAGE = 10
# Batches queued or rendering per job: enough to keep every pool process busy,
# few enough that reading waits for rendering (memory stays flat) and that a
# long PDF does not queue ahead of every other job's.
MAX_BATCHES_IN_FLIGHT = 4
# Rows read at a time: reading is far faster than rendering, so a chunk waits in
# the worker, with its rows as read from the database, while the pool renders it.
# Four batches' worth keeps every process fed and the worker within 2 MB of its
# idle size; chunks of READ_CHUNK_ROWS (2,000) grew it by 5 MB (issue 5).
MAX_CHUNK_ROWS = MAX_BATCHES_IN_FLIGHT * BATCH_ROWS
# Rendering's weight in progress: xhtml2pdf's 4 ms a row on one core (a 10,000-row
# PDF in 20 s on two processes); the join and page 1's summary are a few percent more.
RENDER_MS_PER_ROW = 4.0


@dataclass(frozen=True, slots=True)
class _Render:
    """A call running (or queued) in the render pool, the file it writes, and the rows and
    pages it renders (none for the join)."""

    path: Path
    future: Future[None]
    rows: int = 0
    pages: int = 0


class PdfRenderer:
    max_chunk_rows: ClassVar[int | None] = MAX_CHUNK_ROWS

    def __init__(
        self,
        output: ReportFile,
        info: DocumentInfo,
        resources: RenderResources,
        io: SerialFileIO,
        *,
        progress: RenderProgress = progress_unfollowed,
    ) -> None:
        self._io = io
        # xhtml2pdf and the join write whole files, in other processes: the local
        # scratch file, which storage then publishes.
        self._path = output.scratch
        self._info = info
        self._resources = resources
        self._progress = progress
        self._row_count = 0
        self._first_page: list[Row] = []
        self._pending: list[Row] = []
        self._widths: list[int] | None = None
        # Every render started, in page order: page 1 (last to start), then the
        # batches, then the join; abort needs them all.
        self._batches: list[_Render] = []
        self._first: _Render | None = None
        self._join: _Render | None = None
        # Page renders (batches and page 1) not yet counted as finished.
        self._unfinished: list[_Render] = []
        self._rows_expected: int | None = None
        self._pages_started = 0
        self._rows_rendered = 0
        self._pages_rendered = 0
        self._joining = False
        self._told = RenderStatus()

    @staticmethod
    def work(rows: int) -> float:
        return RENDER_MS_PER_ROW * rows

    async def expect_rows(self, rows: int) -> None:
        self._check_size(rows)
        self._rows_expected = rows
        await self._tell()

    async def write_rows(self, rows: list[Row]) -> None:
        self._row_count += len(rows)
        self._check_size(self._row_count)
        room = FIRST_PAGE_ROWS - len(self._first_page)
        self._first_page.extend(rows[:room])
        self._pending.extend(rows[room:])
        while len(self._pending) >= (batch_rows := self._next_batch_rows()):
            batch = self._pending[:batch_rows]
            del self._pending[:batch_rows]
            await self._render_batch(batch)
        await self._count_finished()

    async def finish(self, summary: dict[str, Any]) -> None:
        self._rows_expected = self._row_count
        if self._pending:
            await self._render_batch(self._pending)
            self._pending = []
        html = first_batch_html(self._info, summary, self._widths_for(()), self._first_page)
        first_page_rows = len(self._first_page)
        self._first = self._start(render_batch, html, self._batch_path(0), first_page_rows, 1)
        self._unfinished.append(self._first)
        await self._settle(0)
        parts = [self._first, *self._batches]
        # The rows are all rendered and freed: give their pages back before the join,
        # the job's peak, rather than hold them beside it.
        release_free_pages()
        self._joining = True
        await self._tell(milestone=True)
        self._join = self._start(join_batches, [str(part.path) for part in parts], self._path)
        await _all_done([self._join.future])
        await self._io.run(_unlink_all, [part.path for part in parts])

    async def abort(self) -> None:
        """Stop what has not started; whatever is rendering removes its file when it ends."""
        renders = [*self._batches, self._first, self._join]
        self._batches, self._first, self._join, self._unfinished = [], None, None, []
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

    def _check_size(self, rows: int) -> None:
        if rows > self._resources.pdf_max_rows:
            raise ReportTooLargeError(self._resources.pdf_max_rows)

    def _next_batch_rows(self) -> int:
        pages_before = 1 + self._pages_started
        pages = max(1, min(PAGES_PER_BATCH, pages_before // PAGES_BEFORE_EACH_BATCH_PAGE))
        return pages * ROWS_PER_PAGE

    async def _render_batch(self, rows: list[Row]) -> None:
        await self._settle(MAX_BATCHES_IN_FLIGHT - 1)
        html = batch_html(self._info.columns, self._widths_for(rows), rows)
        path = self._batch_path(len(self._batches) + 1)
        pages = math.ceil(len(rows) / ROWS_PER_PAGE)
        batch = self._start(render_batch, html, path, len(rows), pages)
        self._batches.append(batch)
        self._unfinished.append(batch)
        self._pages_started += pages

    async def _settle(self, unfinished: int) -> None:
        """Wait until at most `unfinished` page renders are unfinished, telling progress as
        they finish; a failed one fails the report at once, not after every other.

        asyncio.wait, not gather: a cancelled wait must leave the renders to abort(),
        which knows which of them have files to remove.
        """
        while True:
            await self._count_finished()
            if len(self._unfinished) <= unfinished:
                return
            await asyncio.wait(
                [asyncio.wrap_future(render.future) for render in self._unfinished],
                return_when=asyncio.FIRST_COMPLETED,
            )

    async def _count_finished(self) -> None:
        """Count the page renders finished since last time, telling progress of each in turn
        (several can finish while the worker reads), and of any change of stage."""
        for render in [render for render in self._unfinished if render.future.done()]:
            render.future.result()
            self._unfinished.remove(render)
            self._rows_rendered += render.rows
            self._pages_rendered += render.pages
            await self._tell()
        await self._tell()

    async def _tell(self, *, milestone: bool = False) -> None:
        """Tell progress how far rendering has got, if that changed since last told."""
        status = RenderStatus(self.work(self._rows_rendered), self._stage(), milestone)
        if status != self._told:
            self._told = status
            await self._progress(status)

    def _stage(self) -> str | None:
        if self._joining:
            return f"Joining {_pages(self._pages_rendered)}"
        if self._rows_expected is None:
            return None
        return f"Rendered {self._pages_rendered} of {_pages(page_count(self._rows_expected))}"

    def _widths_for(self, upcoming: Sequence[Row]) -> list[int]:
        if self._widths is None:
            # Sized from the first page's worth of rows and kept, so every page lines up.
            sample = [*self._first_page, *upcoming][:ROWS_PER_PAGE]
            self._widths = column_widths(self._info.columns, sample)
        return self._widths

    def _start(
        self,
        function: Callable[[Any, str], None],
        source: Any,
        path: Path,
        rows: int = 0,
        pages: int = 0,
    ) -> _Render:
        """Run `function(source, path)` in the pool: it writes the file at `path`, of
        `rows` rows on `pages` pages where it renders any."""
        future = self._resources.cpu_pool.submit(function, source, str(path))
        return _Render(path, future, rows, pages)

    def _batch_path(self, index: int) -> Path:
        # Beside the temp file, so its name carries the temp suffix: the orphan
        # sweep finds batch files that a crash left behind.
        return self._path.with_name(f"{self._path.name}.batch{index:04d}.pdf")


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


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
