from pydantic import Field

from .base_model import BaseModel
from .fragments import JobFields


class RegenerateReport(BaseModel):
    regenerate_report: "RegenerateReportRegenerateReport" = Field(
        alias="regenerateReport"
    )


RegenerateReportRegenerateReport = JobFields
RegenerateReport.model_rebuild()
