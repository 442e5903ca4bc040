"""GraphQL enums: the one definition each has in models/, registered with Strawberry.

`strawberry.enum` marks the class itself, so resolvers and types use the model
enums directly, and a value read from the database is already a GraphQL value.
"""

from __future__ import annotations

import strawberry

from models.deliveries import DeliveryChannel, DeliveryStatus
from models.orders import OrderStatus
from models.report_jobs import JobStatus, Priority, ReportFormat, ReportKind
from models.schedules import ReportPeriod

for _enum in (
    OrderStatus,
    JobStatus,
    Priority,
    ReportFormat,
    ReportKind,
    ReportPeriod,
    DeliveryChannel,
    DeliveryStatus,
):
    strawberry.enum(_enum)

__all__ = [
    "DeliveryChannel",
    "DeliveryStatus",
    "JobStatus",
    "OrderStatus",
    "Priority",
    "ReportFormat",
    "ReportKind",
    "ReportPeriod",
]
