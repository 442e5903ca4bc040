"""GraphQL types of signing in: the signed-in user, and what register and login answer."""

from __future__ import annotations

from uuid import UUID

import strawberry

from workers.delivery.webhook_secrets import webhook_secret_of


@strawberry.type
class User:
    id: strawberry.ID
    email: str

    @strawberry.field(
        description='Signs this account\'s webhooks ("whsec_..."); only its owner sees it.'
    )
    async def webhook_secret(self) -> str:
        return await webhook_secret_of(UUID(self.id))


@strawberry.type
class AuthPayload:
    token: str
    user: User
