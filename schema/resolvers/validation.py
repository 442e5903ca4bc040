"""Input checks shared by the mutations; each failure names the offending field."""

from __future__ import annotations

import re
from decimal import Decimal
from uuid import UUID

from schema.errors import bad_input

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is
# the mail server's business, not ours.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = 1_000_000
MAX_STOCK = 2_000_000_000


def parse_id(raw: str) -> UUID | None:
    """An object id, or None when it cannot name any object (unknown to everyone)."""
    try:
        return UUID(str(raw))
    except ValueError:
        return None


def clean_text(field: str, value: str, *, max_length: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise bad_input(field, f"{field} must not be empty")
    if len(cleaned) > max_length:
        raise bad_input(field, f"{field} must be at most {max_length} characters")
    if any(ord(ch) < 32 for ch in cleaned):
        raise bad_input(field, f"{field} must not contain control characters")
    return cleaned


def clean_email(field: str, value: str) -> str:
    cleaned = value.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise bad_input(field, f"{field} is not a valid email address")
    return cleaned


def clean_money(field: str, value: Decimal) -> Decimal:
    if value < 0:
        raise bad_input(field, f"{field} must not be negative")
    if value > MAX_MONEY:
        raise bad_input(field, f"{field} must be at most {MAX_MONEY}")
    if value != value.quantize(Decimal("0.01")):
        raise bad_input(field, f"{field} must have at most two decimals")
    return value


def clean_count(field: str, value: int, *, minimum: int, maximum: int) -> int:
    if not minimum <= value <= maximum:
        raise bad_input(field, f"{field} must be between {minimum} and {maximum}")
    return value
