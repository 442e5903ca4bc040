"""Products an account sells, identified by sku within the account."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import Account


class Product(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="products", on_delete=fields.CASCADE
    )
    account_id: UUID
    sku = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    price = fields.DecimalField(max_digits=12, decimal_places=2)
    stock = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "product"
        unique_together = (("account_id", "sku"),)
