from pydantic import Field

from .base_model import BaseModel
from .fragments import PageFields, ScheduleFields


class ReportSchedules(BaseModel):
    report_schedules: "ReportSchedulesReportSchedules" = Field(alias="reportSchedules")


class ReportSchedulesReportSchedules(BaseModel):
    total_count: int = Field(alias="totalCount")
    page_info: "ReportSchedulesReportSchedulesPageInfo" = Field(alias="pageInfo")
    edges: list["ReportSchedulesReportSchedulesEdges"]


ReportSchedulesReportSchedulesPageInfo = PageFields


class ReportSchedulesReportSchedulesEdges(BaseModel):
    node: "ReportSchedulesReportSchedulesEdgesNode"


ReportSchedulesReportSchedulesEdgesNode = ScheduleFields
ReportSchedules.model_rebuild()
ReportSchedulesReportSchedules.model_rebuild()
ReportSchedulesReportSchedulesEdges.model_rebuild()
