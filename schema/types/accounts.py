"""GraphQL types of signing in: the signed-in user, and what register and login answer."""

from __future__ import annotations

import strawberry


@strawberry.type
class User:
    id: strawberry.ID
    email: str


@strawberry.type
class AuthPayload:
    token: str
    user: User
