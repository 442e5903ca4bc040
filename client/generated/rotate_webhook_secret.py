from pydantic import Field

from .base_model import BaseModel


class RotateWebhookSecret(BaseModel):
    rotate_webhook_secret: str = Field(alias="rotateWebhookSecret")
