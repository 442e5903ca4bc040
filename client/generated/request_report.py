from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class RequestReport(BaseModel):
    request_report: "RequestReportRequestReport" = Field(alias="requestReport")


RequestReportRequestReport = JobFields
RequestReport.model_rebuild()
