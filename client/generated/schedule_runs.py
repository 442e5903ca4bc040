from datetime import datetime
from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields, PageFields


class ScheduleRuns(BaseModel):
    report_schedule: Optional["ScheduleRunsReportSchedule"] = Field(
        alias="reportSchedule"
    )


class ScheduleRunsReportSchedule(BaseModel):
    id: str
    runs: "ScheduleRunsReportScheduleRuns"


class ScheduleRunsReportScheduleRuns(BaseModel):
    total_count: int = Field(alias="totalCount")
    page_info: "ScheduleRunsReportScheduleRunsPageInfo" = Field(alias="pageInfo")
    edges: list["ScheduleRunsReportScheduleRunsEdges"]


ScheduleRunsReportScheduleRunsPageInfo = PageFields


class ScheduleRunsReportScheduleRunsEdges(BaseModel):
    node: "ScheduleRunsReportScheduleRunsEdgesNode"


class ScheduleRunsReportScheduleRunsEdgesNode(BaseModel):
    id: str
    scheduled_for: datetime = Field(alias="scheduledFor")
    created_at: datetime = Field(alias="createdAt")
    job: Optional["ScheduleRunsReportScheduleRunsEdgesNodeJob"]


ScheduleRunsReportScheduleRunsEdgesNodeJob = JobFields
ScheduleRuns.model_rebuild()
ScheduleRunsReportSchedule.model_rebuild()
ScheduleRunsReportScheduleRuns.model_rebuild()
ScheduleRunsReportScheduleRunsEdges.model_rebuild()
ScheduleRunsReportScheduleRunsEdgesNode.model_rebuild()
