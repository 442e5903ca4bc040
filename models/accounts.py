"""Accounts: who owns products, orders and report jobs."""

from __future__ import annotations

from uuid import UUID

from tortoise import fields
from tortoise.models import Model


class Account(Model):
    id = fields.UUIDField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    # Signs this account's webhooks; made at sign-up (or on first use, for accounts
    # older than webhooks).
    webhook_secret = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account"


class AuthSession(Model):
    """One sign-in: a token names its session, so it can be revoked before it expires."""

    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    account_id: UUID
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_session"
        indexes = (("account_id", "revoked_at"),)
