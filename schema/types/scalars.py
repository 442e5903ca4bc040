"""Scalars whose wire format the contract fixes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import strawberry

CENT = Decimal("0.01")


def serialize_money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def parse_money(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError('Decimal must be a string such as "12.50"')
    try:
        parsed = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a decimal number") from exc
    if not parsed.is_finite():
        raise ValueError(f"{value!r} is not a finite decimal number")
    return parsed


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='A decimal number, serialised as a string with two decimals ("12.50").',
    serialize=serialize_money,
    parse_value=parse_money,
)
