from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import (
    DeliveryChannel,
    DeliveryStatus,
    JobStatus,
    OrderStatus,
    Priority,
    ReportFormat,
    ReportKind,
    ReportPeriod,
)


class DeliveryFields(BaseModel):
    channel: DeliveryChannel
    target: str
    status: DeliveryStatus
    attempts: int
    error: Optional[str]
    sent_at: Optional[datetime] = Field(alias="sentAt")


class JobFields(BaseModel):
    id: str
    title: Optional[str]
    kind: ReportKind
    format: ReportFormat
    status: JobStatus
    progress: int
    message: Optional[str]
    priority: Priority
    attempts: int
    error: Optional[str]
    row_count: Optional[int] = Field(alias="rowCount")
    file_size: Optional[int] = Field(alias="fileSize")
    summary: Optional[Any]
    date_from: Optional[date] = Field(alias="dateFrom")
    date_to: Optional[date] = Field(alias="dateTo")
    created_at: datetime = Field(alias="createdAt")
    started_at: Optional[datetime] = Field(alias="startedAt")
    finished_at: Optional[datetime] = Field(alias="finishedAt")
    expires_at: Optional[datetime] = Field(alias="expiresAt")
    version: int
    run_at: Optional[datetime] = Field(alias="runAt")
    download_url: Optional[str] = Field(alias="downloadUrl")
    schedule: Optional["JobFieldsSchedule"]
    deliveries: list["JobFieldsDeliveries"]


class JobFieldsSchedule(BaseModel):
    id: str
    name: str


class JobFieldsDeliveries(DeliveryFields):
    pass


class ProductFields(BaseModel):
    id: str
    sku: str
    name: str
    price: Decimal
    stock: int


class OrderFields(BaseModel):
    id: str
    customer_name: str = Field(alias="customerName")
    customer_email: str = Field(alias="customerEmail")
    status: OrderStatus
    total: Decimal
    created_at: datetime = Field(alias="createdAt")
    completed_at: Optional[datetime] = Field(alias="completedAt")
    items: list["OrderFieldsItems"]


class OrderFieldsItems(BaseModel):
    quantity: int
    unit_price: Decimal = Field(alias="unitPrice")
    line_total: Decimal = Field(alias="lineTotal")
    product: "OrderFieldsItemsProduct"


class OrderFieldsItemsProduct(ProductFields):
    pass


class PageFields(BaseModel):
    has_next_page: bool = Field(alias="hasNextPage")
    end_cursor: Optional[str] = Field(alias="endCursor")


class ScheduleFields(BaseModel):
    id: str
    name: str
    kind: ReportKind
    format: ReportFormat
    priority: Priority
    title: Optional[str]
    cron: str
    time_zone: str = Field(alias="timeZone")
    period: Optional[ReportPeriod]
    enabled: bool
    deliver_to: list["ScheduleFieldsDeliverTo"] = Field(alias="deliverTo")
    next_run_at: Optional[datetime] = Field(alias="nextRunAt")
    last_run_at: Optional[datetime] = Field(alias="lastRunAt")
    created_at: datetime = Field(alias="createdAt")


class ScheduleFieldsDeliverTo(BaseModel):
    channel: DeliveryChannel
    target: str


class UserFields(BaseModel):
    id: str
    email: str


DeliveryFields.model_rebuild()
JobFields.model_rebuild()
ProductFields.model_rebuild()
OrderFields.model_rebuild()
PageFields.model_rebuild()
ScheduleFields.model_rebuild()
UserFields.model_rebuild()
