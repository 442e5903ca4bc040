from pydantic import Field

from .base_model import BaseModel
from .fragments import OrderFields


class CancelOrder(BaseModel):
    cancel_order: "CancelOrderCancelOrder" = Field(alias="cancelOrder")


CancelOrderCancelOrder = OrderFields
CancelOrder.model_rebuild()
