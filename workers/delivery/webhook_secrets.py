"""Each account's webhook signing secret: made at sign-up, replaced on request.

Accounts from before webhooks get theirs the first time it is needed; two
processes needing it at once agree on one (the first write wins).
"""

from __future__ import annotations

from uuid import UUID

from models.accounts import Account
from workers.delivery.webhook_signing import new_webhook_secret


async def webhook_secret_of(account_id: UUID) -> str:
    account = await Account.get(id=account_id).only("id", "webhook_secret")
    if account.webhook_secret is None:
        # The first write wins; read back whichever that was.
        await Account.filter(id=account_id, webhook_secret__isnull=True).update(
            webhook_secret=new_webhook_secret()
        )
        account = await Account.get(id=account_id).only("id", "webhook_secret")
    assert account.webhook_secret is not None
    return account.webhook_secret


async def rotate_webhook_secret(account_id: UUID) -> str:
    """A new secret; the old one signs nothing from now on."""
    secret = new_webhook_secret()
    await Account.filter(id=account_id).update(webhook_secret=secret)
    return secret
