"""Keyset pagination: read big results in bounded batches, never all at once.

Tortoise has no streaming iterator, so each batch is a query ordered by a
unique key tuple that starts strictly after the previous batch's last key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet


def after_key(fields: Sequence[str], last: Sequence[Any], *, descending: bool = False) -> Q:
    """Rows whose (fields) tuple sorts strictly after `last` in the given direction."""
    comparison = "lt" if descending else "gt"
    alternatives = []
    for index, field in enumerate(fields):
        equal = {f: v for f, v in zip(fields[:index], last[:index], strict=True)}
        alternatives.append(Q(**equal, **{f"{field}__{comparison}": last[index]}))
    return Q(*alternatives, join_type="OR")


async def keyset_batches(
    queryset: QuerySet[Any], key_fields: Sequence[str], value_fields: Sequence[str], size: int
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Batches of `value_fields` tuples; `value_fields` must start with `key_fields`."""
    if tuple(value_fields[: len(key_fields)]) != tuple(key_fields):
        raise ValueError("value_fields must start with the key fields")
    last: tuple[Any, ...] | None = None
    while True:
        page = queryset if last is None else queryset.filter(after_key(key_fields, last))
        rows = await page.order_by(*key_fields).limit(size).values_list(*value_fields)
        if not rows:
            return
        yield [tuple(row) for row in rows]
        if len(rows) < size:
            return
        last = tuple(rows[-1][: len(key_fields)])
