"""How values are written in report files: the contract's one format for each."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_decimal(value: Decimal | float | int | str | None) -> Decimal:
    """A Decimal from what a database aggregate returns (SQLite may return floats)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def money(value: Decimal | float | int | str | None) -> str:
    """Two decimals, rounded half up, no currency sign."""
    return str(to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with an explicit offset."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def utc_day(value: datetime) -> date:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).date()
