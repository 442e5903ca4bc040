from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class WatchJobs(BaseModel):
    report_jobs: "WatchJobsReportJobs" = Field(alias="reportJobs")


WatchJobsReportJobs = JobFields
WatchJobs.model_rebuild()
