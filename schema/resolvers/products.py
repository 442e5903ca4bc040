"""Products: upsert by sku, list ordered by sku."""

from __future__ import annotations

import strawberry

from models.catalog import Product as ProductModel
from schema.context import AppInfo, current_account
from schema.resolvers.validation import MAX_STOCK, clean_count, clean_money, clean_text
from schema.types.pagination import Connection, KeysetOrder, paginate
from schema.types.products import Product, ProductInput

BY_SKU = KeysetOrder(fields=("sku",), parsers=(str,))


@strawberry.type
class ProductQuery:
    @strawberry.field
    async def products(
        self, info: AppInfo, first: int | None = 50, after: str | None = None
    ) -> Connection[Product]:
        account_id = current_account(info)
        return await paginate(
            ProductModel.filter(account_id=account_id), BY_SKU, first, after, Product.from_model
        )


@strawberry.type
class ProductMutation:
    @strawberry.mutation(description="Create or update a product by sku, within your account.")
    async def upsert_product(self, info: AppInfo, input: ProductInput) -> Product:
        account_id = current_account(info)
        sku = clean_text("sku", input.sku, max_length=64)
        fields = {
            "name": clean_text("name", input.name, max_length=200),
            "price": clean_money("price", input.price),
            "stock": clean_count("stock", input.stock, minimum=0, maximum=MAX_STOCK),
        }
        product, _ = await ProductModel.update_or_create(
            defaults=fields, account_id=account_id, sku=sku
        )
        return Product.from_model(product)
