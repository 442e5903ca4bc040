from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class ReportJob(BaseModel):
    report_job: Optional["ReportJobReportJob"] = Field(alias="reportJob")


ReportJobReportJob = JobFields
ReportJob.model_rebuild()
