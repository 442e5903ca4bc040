from datetime import datetime
from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class RunReportScheduleNow(BaseModel):
    run_report_schedule_now: "RunReportScheduleNowRunReportScheduleNow" = Field(
        alias="runReportScheduleNow"
    )


class RunReportScheduleNowRunReportScheduleNow(BaseModel):
    id: str
    scheduled_for: datetime = Field(alias="scheduledFor")
    created_at: datetime = Field(alias="createdAt")
    job: Optional["RunReportScheduleNowRunReportScheduleNowJob"]


RunReportScheduleNowRunReportScheduleNowJob = JobFields
RunReportScheduleNow.model_rebuild()
RunReportScheduleNowRunReportScheduleNow.model_rebuild()
