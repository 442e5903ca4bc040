from typing import Optional

from .base_model import BaseModel
from .fragments import OrderFields


class Order(BaseModel):
    order: Optional["OrderOrder"]


OrderOrder = OrderFields
Order.model_rebuild()
