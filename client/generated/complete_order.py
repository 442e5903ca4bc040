from pydantic import Field

from .base_model import BaseModel
from .fragments import OrderFields


class CompleteOrder(BaseModel):
    complete_order: "CompleteOrderCompleteOrder" = Field(alias="completeOrder")


CompleteOrderCompleteOrder = OrderFields
CompleteOrder.model_rebuild()
