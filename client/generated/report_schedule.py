from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import ScheduleFields


class ReportSchedule(BaseModel):
    report_schedule: Optional["ReportScheduleReportSchedule"] = Field(
        alias="reportSchedule"
    )


ReportScheduleReportSchedule = ScheduleFields
ReportSchedule.model_rebuild()
