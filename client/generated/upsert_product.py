from pydantic import Field

from .base_model import BaseModel
from .fragments import ProductFields


class UpsertProduct(BaseModel):
    upsert_product: "UpsertProductUpsertProduct" = Field(alias="upsertProduct")


UpsertProductUpsertProduct = ProductFields
UpsertProduct.model_rebuild()
