"""Cursor pagination: opaque cursors over keyset positions, Relay-style connections."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.keyset import after_key
from schema.errors import bad_input
from schema.limits.stored_text import is_storable

MAX_PAGE_SIZE = 500

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT", bound=Model)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int


DEFAULT_PAGE_SIZE = 50


def check_page_size(first: int | None) -> int:
    """The page size to use; `first: null` means the default."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise bad_input("first", f"first must be between 1 and {MAX_PAGE_SIZE}")
    return first


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parsers: Sequence[Callable[[str], Any]]) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(raw, list) or len(raw) != len(parsers):
            raise ValueError("wrong shape")
        values = tuple(parse(value) for parse, value in zip(parsers, raw, strict=True))
        for value in values:
            # What the database could not take: a moment past year 9999 in UTC,
            # text it cannot store.
            if isinstance(value, datetime):
                value.astimezone(UTC)
            elif isinstance(value, str) and not is_storable(value):
                raise ValueError("unstorable text")
        return values
    except (ValueError, TypeError, OverflowError) as exc:
        raise bad_input("after", "after is not a cursor this list gave out") from exc


@dataclass(frozen=True)
class KeysetOrder:
    """How a list is ordered: unique key fields, their parsers, and the direction."""

    fields: tuple[str, ...]
    parsers: tuple[Callable[[str], Any], ...]
    descending: bool = False

    def order_by(self) -> list[str]:
        return [f"-{f}" if self.descending else f for f in self.fields]


async def paginate(
    queryset: QuerySet[ModelT],
    order: KeysetOrder,
    first: int | None,
    after: str | None,
    to_node: Callable[[ModelT], NodeT],
) -> Connection[NodeT]:
    """One page of `queryset` in two queries (count, page), whatever the page size."""
    size = check_page_size(first)
    page = queryset
    if after is not None:
        page = page.filter(
            after_key(
                order.fields, decode_cursor(after, order.parsers), descending=order.descending
            )
        )
    total = await queryset.count()
    rows = await page.order_by(*order.order_by()).limit(size + 1)
    edges = [
        Edge(cursor=encode_cursor([getattr(row, f) for f in order.fields]), node=to_node(row))
        for row in rows[:size]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=total,
    )
