from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import Priority, ReportFormat, ReportKind, ReportPeriod


class CreateOrderInput(BaseModel):
    customer_name: str = Field(alias="customerName")
    customer_email: str = Field(alias="customerEmail")
    items: list["OrderItemInput"]


class DeliveryTargetInput(BaseModel):
    """Exactly one of email and webhookUrl."""

    email: Optional[str] = None
    webhook_url: Optional[str] = Field(alias="webhookUrl", default=None)


class OrderItemInput(BaseModel):
    sku: str
    quantity: int


class ProductInput(BaseModel):
    sku: str
    name: str
    price: Decimal
    stock: int = 0


class ReportScheduleInput(BaseModel):
    name: str
    kind: ReportKind
    format: ReportFormat
    priority: Priority = Priority.NORMAL
    title: Optional[str] = None
    cron: str
    'Five fields: minute hour day-of-month month day-of-week, e.g. "0 7 * * MON". Invalid: BAD_USER_INPUT with field "cron".'
    time_zone: str = Field(alias="timeZone", default="UTC")
    'Unknown zone: BAD_USER_INPUT with field "timeZone".'
    period: Optional[ReportPeriod] = None
    enabled: bool = True
    deliver_to: list["DeliveryTargetInput"] = Field(
        alias="deliverTo", default_factory=lambda: []
    )


class RequestReportInput(BaseModel):
    kind: ReportKind
    format: ReportFormat
    priority: Priority = Priority.NORMAL
    title: Optional[str] = None
    date_from: Optional[date] = Field(alias="dateFrom", default=None)
    "Inclusive, on the order's completedAt as a UTC date."
    date_to: Optional[date] = Field(alias="dateTo", default=None)
    "Inclusive."
    run_at: Optional[datetime] = Field(alias="runAt", default=None)
    "Start no earlier than this (absent or past: now); at most a year ahead."
    deliver_to: Optional[list["DeliveryTargetInput"]] = Field(
        alias="deliverTo", default=None
    )
    "Also send the finished report there."


CreateOrderInput.model_rebuild()
ReportScheduleInput.model_rebuild()
RequestReportInput.model_rebuild()
