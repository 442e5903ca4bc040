"""GraphQL types of the product catalogue: a product, and the input that adds or changes one."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from models.catalog import Product as ProductModel


@strawberry.type
class Product:
    id: strawberry.ID
    sku: str
    name: str
    price: Decimal
    stock: int

    @classmethod
    def from_model(cls, product: ProductModel) -> Product:
        return cls(
            id=strawberry.ID(str(product.id)),
            sku=product.sku,
            name=product.name,
            price=product.price,
            stock=product.stock,
        )


@strawberry.input
class ProductInput:
    sku: str
    name: str
    price: Decimal
    stock: int = 0
