"""What a report covers: one account's data, optionally within a date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ReportScope:
    account_id: UUID
    date_from: date | None = None
    date_to: date | None = None

    def completed_at_filters(self, prefix: str = "") -> dict[str, Any]:
        """Tortoise filters for completedAt within the range, as UTC dates, inclusive."""
        filters: dict[str, Any] = {}
        if self.date_from is not None:
            filters[f"{prefix}completed_at__gte"] = datetime.combine(
                self.date_from, time.min, tzinfo=UTC
            )
        if self.date_to is not None:
            filters[f"{prefix}completed_at__lt"] = datetime.combine(
                self.date_to + timedelta(days=1), time.min, tzinfo=UTC
            )
        return filters

    def describe(self) -> str:
        if self.date_from is None and self.date_to is None:
            return "All time"
        start = self.date_from.isoformat() if self.date_from else "the beginning"
        end = self.date_to.isoformat() if self.date_to else "today"
        return f"{start} to {end}"
