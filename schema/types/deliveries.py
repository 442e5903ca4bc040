"""GraphQL types of delivery: where a finished report goes, and how each send went."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.deliveries import DeliveryRecord
from models.deliveries import DeliveryTarget as DeliveryTargetModel
from schema.types.enums import DeliveryChannel, DeliveryStatus


@strawberry.type
class Delivery:
    channel: DeliveryChannel
    target: str = strawberry.field(description="The email address, or the webhook URL.")
    status: DeliveryStatus
    attempts: int
    error: str | None = strawberry.field(
        description="The last failure: the SMTP reply, HTTP status or network error."
    )
    sent_at: datetime | None

    @classmethod
    def from_record(cls, record: DeliveryRecord) -> Delivery:
        return cls(
            channel=record.channel,
            target=record.target,
            status=record.status,
            attempts=record.attempts,
            error=record.error,
            sent_at=record.sent_at,
        )


@strawberry.type
class DeliveryTarget:
    channel: DeliveryChannel
    target: str

    @classmethod
    def from_model(cls, target: DeliveryTargetModel) -> DeliveryTarget:
        return cls(channel=target.channel, target=target.target)


@strawberry.input(description="Exactly one of email and webhookUrl.")
class DeliveryTargetInput:
    email: str | None = None
    webhook_url: str | None = None
