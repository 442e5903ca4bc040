from pydantic import Field

from .base_model import BaseModel
from .fragments import OrderFields, PageFields


class Orders(BaseModel):
    orders: "OrdersOrders"


class OrdersOrders(BaseModel):
    total_count: int = Field(alias="totalCount")
    page_info: "OrdersOrdersPageInfo" = Field(alias="pageInfo")
    edges: list["OrdersOrdersEdges"]


OrdersOrdersPageInfo = PageFields


class OrdersOrdersEdges(BaseModel):
    node: "OrdersOrdersEdgesNode"


OrdersOrdersEdgesNode = OrderFields
Orders.model_rebuild()
OrdersOrders.model_rebuild()
OrdersOrdersEdges.model_rebuild()
