from pydantic import Field

from .base_model import BaseModel
from .fragments import ScheduleFields


class CreateReportSchedule(BaseModel):
    create_report_schedule: "CreateReportScheduleCreateReportSchedule" = Field(
        alias="createReportSchedule"
    )


CreateReportScheduleCreateReportSchedule = ScheduleFields
CreateReportSchedule.model_rebuild()
