from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class WatchJob(BaseModel):
    report_job: "WatchJobReportJob" = Field(alias="reportJob")


WatchJobReportJob = JobFields
WatchJob.model_rebuild()
