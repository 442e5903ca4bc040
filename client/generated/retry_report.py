from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class RetryReport(BaseModel):
    retry_report: "RetryReportRetryReport" = Field(alias="retryReport")


RetryReportRetryReport = JobFields
RetryReport.model_rebuild()
