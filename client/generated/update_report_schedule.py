from pydantic import Field

from .base_model import BaseModel
from .fragments import ScheduleFields


class UpdateReportSchedule(BaseModel):
    update_report_schedule: "UpdateReportScheduleUpdateReportSchedule" = Field(
        alias="updateReportSchedule"
    )


UpdateReportScheduleUpdateReportSchedule = ScheduleFields
UpdateReportSchedule.model_rebuild()
