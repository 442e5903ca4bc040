from pydantic import Field

from .base_model import BaseModel
from .fragments import ScheduleFields


class SetReportScheduleEnabled(BaseModel):
    set_report_schedule_enabled: "SetReportScheduleEnabledSetReportScheduleEnabled" = (
        Field(alias="setReportScheduleEnabled")
    )


SetReportScheduleEnabledSetReportScheduleEnabled = ScheduleFields
SetReportScheduleEnabled.model_rebuild()
