from pydantic import Field

from .base_model import BaseModel
from .fragments import OrderFields


class CreateOrder(BaseModel):
    create_order: "CreateOrderCreateOrder" = Field(alias="createOrder")


CreateOrderCreateOrder = OrderFields
CreateOrder.model_rebuild()
