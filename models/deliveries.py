"""Where a finished report goes (email, webhook) and how each send went.

A job's deliveries live on its row (`ReportJob.deliveries`, a JSON list of
`DeliveryRecord`), so that every change to one is a job change: versioned,
published to subscribers, and committed in the same statement as the
transition that made it due.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
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
    # While PENDING after a failed try: not to be tried again before this.
    retry_at: datetime | None = None

    @classmethod
    def for_target(cls, target: DeliveryTarget) -> DeliveryRecord:
        return cls(channel=target.channel, target=target.target)

    def is_due(self, now: datetime) -> bool:
        return self.status is DeliveryStatus.PENDING and (
            self.retry_at is None or self.retry_at <= now
        )

    def sent(self, at: datetime) -> DeliveryRecord:
        return replace(
            self,
            status=DeliveryStatus.SENT,
            attempts=self.attempts + 1,
            error=None,
            sent_at=at,
            retry_at=None,
        )

    def failed(self, error: str, *, retry_at: datetime | None) -> DeliveryRecord:
        """One more failed try: PENDING until `retry_at`, or FAILED for good if None."""
        return replace(
            self,
            status=DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED,
            attempts=self.attempts + 1,
            error=error,
            retry_at=retry_at,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value,
            "target": self.target,
            "status": self.status.value,
            "attempts": self.attempts,
            "error": self.error,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeliveryRecord:
        sent_at, retry_at = data.get("sent_at"), data.get("retry_at")
        return cls(
            channel=DeliveryChannel(data["channel"]),
            target=data["target"],
            status=DeliveryStatus(data["status"]),
            attempts=int(data["attempts"]),
            error=data.get("error"),
            sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
            retry_at=datetime.fromisoformat(retry_at) if retry_at else None,
        )


def records_of(raw: list[dict[str, Any]] | None) -> list[DeliveryRecord]:
    return [DeliveryRecord.from_json(item) for item in raw or []]


def next_due(records: list[DeliveryRecord], now: datetime) -> datetime | None:
    """When the outbox should next look at these: now if one is due, else the earliest
    retry, or None when none is PENDING."""
    pending = [r for r in records if r.status is DeliveryStatus.PENDING]
    if not pending:
        return None
    return min(r.retry_at or now for r in pending)


NOT_SENT_CANCELLED = "Not sent: the report was cancelled."


def not_sent(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A cancelled job's deliveries: those still PENDING will never be sent."""
    return [
        (
            DeliveryRecord(
                channel=r.channel,
                target=r.target,
                status=DeliveryStatus.FAILED,
                attempts=r.attempts,
                error=NOT_SENT_CANCELLED,
            )
            if r.status is DeliveryStatus.PENDING
            else r
        ).to_json()
        for r in records_of(raw)
    ]


def fresh(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The same targets, none tried yet: a job's new outcome is delivered anew."""
    return [DeliveryRecord(channel=r.channel, target=r.target).to_json() for r in records_of(raw)]


def due_when_finished(raw: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The change that makes a job's deliveries due, made in the very transition that
    finishes it (COMPLETED or FAILED), so the outbox cannot miss them."""
    due = next_due(records_of(raw), datetime.now(UTC))
    return {"delivery_due_at": due} if due is not None else {}
