from pydantic import Field

from .base_model import BaseModel
from .fragments import UserFields


class Me(BaseModel):
    me: "MeMe"


class MeMe(UserFields):
    webhook_secret: str = Field(alias="webhookSecret")


Me.model_rebuild()
