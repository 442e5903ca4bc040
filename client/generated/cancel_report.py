from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class CancelReport(BaseModel):
    cancel_report: "CancelReportCancelReport" = Field(alias="cancelReport")


CancelReportCancelReport = JobFields
CancelReport.model_rebuild()
