from pydantic import Field

from .base_model import BaseModel


class DeleteReportSchedule(BaseModel):
    delete_report_schedule: bool = Field(alias="deleteReportSchedule")
