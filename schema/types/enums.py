"""GraphQL enums, exposed from the one definition each has in models/."""

from __future__ import annotations

import strawberry

from models.orders import OrderStatus as OrderStatusModel
from models.report_jobs import JobStatus as JobStatusModel
from models.report_jobs import Priority as PriorityModel
from models.report_jobs import ReportFormat as ReportFormatModel
from models.report_jobs import ReportKind as ReportKindModel

OrderStatus = strawberry.enum(OrderStatusModel, name="OrderStatus")
JobStatus = strawberry.enum(JobStatusModel, name="JobStatus")
Priority = strawberry.enum(PriorityModel, name="Priority")
ReportFormat = strawberry.enum(ReportFormatModel, name="ReportFormat")
ReportKind = strawberry.enum(ReportKindModel, name="ReportKind")
