"""Sign-up confirmation links: a signed, expiring URL mailed to the address an account
signed up with; opening it makes that address the account's own."""

from __future__ import annotations

import time
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer

from models.download_links import InvalidLinkError

_CONFIRM_SALT = "reports.confirm-sign-up"

# Where the API confirms sign-ups: a path, then the signed token.
CONFIRM_PREFIX = "/confirm/"


def confirmation_path(secret_key: str, account_id: UUID, email: str, ttl_seconds: int) -> str:
    payload = {"a": str(account_id), "m": email, "e": int(time.time()) + ttl_seconds}
    token = URLSafeSerializer(secret_key, salt=_CONFIRM_SALT).dumps(payload)
    return f"{CONFIRM_PREFIX}{token}"


def read_confirmation(secret_key: str, token: str) -> tuple[UUID, str]:
    """The account and the address the link confirms; InvalidLinkError if it is
    tampered, expired or made for another purpose."""
    try:
        payload = URLSafeSerializer(secret_key, salt=_CONFIRM_SALT).loads(token)
        account_id, email, expires = UUID(payload["a"]), str(payload["m"]), int(payload["e"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidLinkError("invalid confirmation link") from exc
    if expires < time.time():
        raise InvalidLinkError("expired confirmation link")
    return account_id, email
