from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import JobStatus, Priority


class ReportStats(BaseModel):
    report_stats: "ReportStatsReportStats" = Field(alias="reportStats")


class ReportStatsReportStats(BaseModel):
    jobs_by_status: list["ReportStatsReportStatsJobsByStatus"] = Field(
        alias="jobsByStatus"
    )
    queue_depth: list["ReportStatsReportStatsQueueDepth"] = Field(alias="queueDepth")
    delayed_depth: list["ReportStatsReportStatsDelayedDepth"] = Field(
        alias="delayedDepth"
    )
    jobs_running: int = Field(alias="jobsRunning")
    completed_last_hour: int = Field(alias="completedLastHour")
    mean_duration_seconds: Optional[float] = Field(alias="meanDurationSeconds")
    p_95_duration_seconds: Optional[float] = Field(alias="p95DurationSeconds")
    workers_alive: Optional[int] = Field(alias="workersAlive")


class ReportStatsReportStatsJobsByStatus(BaseModel):
    status: JobStatus
    count: int


class ReportStatsReportStatsQueueDepth(BaseModel):
    priority: Priority
    count: int


class ReportStatsReportStatsDelayedDepth(BaseModel):
    priority: Priority
    count: int


ReportStats.model_rebuild()
ReportStatsReportStats.model_rebuild()
