"""Accounts: who owns products, orders and report jobs.

A sign-up makes a pending account, usable at once with the token `register`
answers, whose email is not yet its own: it signs in with `login` only once the
link mailed to that address has confirmed it. Whether the address already had
an account, `register` answers the same (the owner is told by email instead),
so it cannot be used to find out which addresses have accounts.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

# A pending account not confirmed within this is deleted with what it holds.
PENDING_ACCOUNT_LIFETIME = timedelta(days=7)
# Before confirmation `email` holds this unique placeholder (no "@": no address a
# user types can ever equal it, so `login` never finds a pending account).
PENDING_EMAIL_PREFIX = "pending:"


def pending_placeholder(account_id: UUID) -> str:
    return f"{PENDING_EMAIL_PREFIX}{account_id.hex}"


class Account(Model):
    id = fields.UUIDField(primary_key=True)
    # The confirmed address `login` finds it by (unique), or a pending placeholder.
    email = fields.CharField(max_length=254, unique=True)
    # The address a pending account signed up with, until it is confirmed.
    pending_email = fields.CharField(max_length=254, null=True, db_index=True)
    # When the confirmation (or, for an address that has an account already, the
    # notice to its owner) was sent; None: still to send.
    sign_up_mailed_at = fields.DatetimeField(null=True)
    password_hash = fields.CharField(max_length=255)
    # Signs this account's webhooks; made at sign-up (or on first use, for accounts
    # older than webhooks).
    webhook_secret = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account"

    @property
    def shown_email(self) -> str:
        """The address the account signed up with, confirmed or not."""
        return self.pending_email or self.email

    @property
    def is_pending(self) -> bool:
        return self.pending_email is not None


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
