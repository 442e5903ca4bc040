"""Where a finished report goes (email, webhook) and how each send went.

A job's deliveries live on its row (`ReportJob.deliveries`, a JSON list of
`DeliveryRecord`), so that every change to one is a job change: versioned,
published to subscribers, and committed in the same statement as the
transition that made it due.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

# Targets one job or schedule may deliver to.
MAX_DELIVERY_TARGETS = 10


class DeliveryChannel(StrEnum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    channel: DeliveryChannel
    target: str

    def to_json(self) -> dict[str, str]:
        return {"channel": self.channel.value, "target": self.target}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeliveryTarget:
        return cls(channel=DeliveryChannel(data["channel"]), target=data["target"])


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    channel: DeliveryChannel
    target: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    error: str | None = None
    sent_at: datetime | None = None

    @classmethod
    def for_target(cls, target: DeliveryTarget) -> DeliveryRecord:
        return cls(channel=target.channel, target=target.target)

    def tried(self, *, error: str | None, at: datetime, final: bool) -> DeliveryRecord:
        """This record after one more try: SENT without an error, else still PENDING
        (FAILED when `final`)."""
        if error is None:
            return replace(
                self, status=DeliveryStatus.SENT, attempts=self.attempts + 1, error=None, sent_at=at
            )
        status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
        return replace(self, status=status, attempts=self.attempts + 1, error=error)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["channel"] = self.channel.value
        data["status"] = self.status.value
        data["sent_at"] = self.sent_at.isoformat() if self.sent_at else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeliveryRecord:
        sent_at = data.get("sent_at")
        return cls(
            channel=DeliveryChannel(data["channel"]),
            target=data["target"],
            status=DeliveryStatus(data["status"]),
            attempts=int(data["attempts"]),
            error=data.get("error"),
            sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
        )


def records_of(raw: list[dict[str, Any]] | None) -> list[DeliveryRecord]:
    return [DeliveryRecord.from_json(item) for item in raw or []]


def has_pending(raw: list[dict[str, Any]] | None) -> bool:
    return any(record.status is DeliveryStatus.PENDING for record in records_of(raw))
