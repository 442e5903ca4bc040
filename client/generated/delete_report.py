from pydantic import Field

from .base_model import BaseModel


class DeleteReport(BaseModel):
    delete_report: bool = Field(alias="deleteReport")
