from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields, PageFields


class ReportJobs(BaseModel):
    report_jobs: "ReportJobsReportJobs" = Field(alias="reportJobs")


class ReportJobsReportJobs(BaseModel):
    total_count: int = Field(alias="totalCount")
    page_info: "ReportJobsReportJobsPageInfo" = Field(alias="pageInfo")
    edges: list["ReportJobsReportJobsEdges"]


ReportJobsReportJobsPageInfo = PageFields


class ReportJobsReportJobsEdges(BaseModel):
    node: "ReportJobsReportJobsEdgesNode"


ReportJobsReportJobsEdgesNode = JobFields
ReportJobs.model_rebuild()
ReportJobsReportJobs.model_rebuild()
ReportJobsReportJobsEdges.model_rebuild()
