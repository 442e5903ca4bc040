from pydantic import Field

from .base_model import BaseModel
from .fragments import PageFields, ProductFields


class Products(BaseModel):
    products: "ProductsProducts"


class ProductsProducts(BaseModel):
    total_count: int = Field(alias="totalCount")
    page_info: "ProductsProductsPageInfo" = Field(alias="pageInfo")
    edges: list["ProductsProductsEdges"]


ProductsProductsPageInfo = PageFields


class ProductsProductsEdges(BaseModel):
    node: "ProductsProductsEdgesNode"


ProductsProductsEdgesNode = ProductFields
Products.model_rebuild()
ProductsProducts.model_rebuild()
ProductsProductsEdges.model_rebuild()
