"""CSV that PostgreSQL writes itself (COPY ... TO STDOUT), streamed into the report file.

Much faster than fetching rows and writing them with csv.writer (PostgreSQL's
COPY of a million rows took 0.6 s where a cursor and csv.writer took 6 s), and
the worker only ever holds the block in hand. The file is byte for byte what
the row path writes: COPY's CSV quotes as csv.writer's QUOTE_MINIMAL does (the
plans give NULL for empty strings, which COPY, like csv.writer, leaves
unquoted), and COPY's `\\n` record ends become csv.writer's `\\r\\n` here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from workers.renderers.csv_renderer import CsvRenderer
from workers.reports.base import CopyPlan

# An export holds one of Tortoise's pooled connections from start to end, and its
# attempt's progress, checkpoints and lease renewals need others meanwhile: with
# every connection held by an export, they would wait for each other for ever.
SPARE_CONNECTIONS = 2

RowsWritten = Callable[[int], Awaitable[None]]


def can_copy() -> bool:
    """True on PostgreSQL (asyncpg) with a pool big enough to lend a connection."""
    client = connections.get("default")
    return isinstance(client, AsyncpgDBClient) and client.pool_maxsize > SPARE_CONNECTIONS


@functools.cache
def _export_slots(pool_size: int) -> asyncio.Semaphore:
    return asyncio.Semaphore(pool_size - SPARE_CONNECTIONS)


class CsvLineEnds:
    """Turns COPY's `\\n` record ends into csv.writer's `\\r\\n`, in blocks cut anywhere.

    A newline inside a quoted field is data and stays as it is; outside quotes
    every newline ends a record (COPY quotes a field that holds one). Quotes
    come in pairs, doubled ones too, so counting them tells inside from outside.
    """

    def __init__(self) -> None:
        self._quoted = False

    def convert(self, block: bytes) -> tuple[bytes, int]:
        """The block with `\\r\\n` record ends, and how many records it ended."""
        parts = block.split(b'"')
        outside = parts[1 if self._quoted else 0 :: 2]
        records = sum(part.count(b"\n") for part in outside)
        if records:
            parts[1 if self._quoted else 0 :: 2] = [p.replace(b"\n", b"\r\n") for p in outside]
        if len(parts) % 2 == 0:
            self._quoted = not self._quoted
        return b'"'.join(parts), records


class CsvCopy:
    """One export inside its snapshot: its totals read, its rows still to write."""

    def __init__(self, connection: Any, plan: CopyPlan, totals: Mapping[str, Any]) -> None:
        self._connection = connection
        self._plan = plan
        self.rows: int = totals["rows"]
        self.summary = plan.summary(totals)

    async def write_to(
        self, renderer: CsvRenderer, rows_written: RowsWritten, rows_per_block: int
    ) -> int:
        """Stream the rows into `renderer`; returns how many were written.

        `rows_written(n)` follows every block of about `rows_per_block` rows at
        most: COPY's own blocks, cut smaller when they hold more, so progress and
        checkpoints come at least as often as on the row path. Whatever it raises
        stops the COPY: asyncpg cancels the query on the server.
        """
        line_ends = CsvLineEnds()

        async def on_data(data: bytes) -> None:
            blocks = max(1, math.ceil(data.count(b"\n") / rows_per_block))
            size = math.ceil(len(data) / blocks)
            for start in range(0, len(data), size):
                block, records = line_ends.convert(data[start : start + size])
                await renderer.write_csv(block)
                await rows_written(records)

        status: str = await self._connection.copy_from_query(
            self._plan.rows_sql, *self._plan.args, output=on_data, format="csv"
        )
        return int(status.split()[-1])  # "COPY <rows>"


@contextlib.asynccontextmanager
async def copy_snapshot(plan: CopyPlan) -> AsyncIterator[CsvCopy]:
    """An export whose totals and rows come from one snapshot, so they always agree."""
    client = connections.get("default")
    assert isinstance(client, AsyncpgDBClient), "check can_copy() first"
    async with _export_slots(client.pool_maxsize), client.acquire_connection() as connection:
        snapshot = connection.transaction(isolation="repeatable_read", readonly=True)
        await snapshot.start()
        try:
            totals = await connection.fetchrow(plan.totals_sql, *plan.args)
            yield CsvCopy(connection, plan, totals)
        except BaseException:
            # An export stopped part-way gives up its connection rather than roll
            # back: closing it ends the server's COPY at once, while a ROLLBACK
            # would wait for asyncpg to see the COPY's cancel acknowledged, which
            # never happens if the server had already sent the last row.
            connection.terminate()
            raise
        await snapshot.commit()
