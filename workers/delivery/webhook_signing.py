"""Webhook signatures as the Standard Webhooks specification defines them.

https://www.standardwebhooks.com/ : an HMAC-SHA256 of "{id}.{timestamp}.{body}",
keyed with the secret's bytes, so any of the specification's libraries can verify
what we send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

SECRET_PREFIX = "whsec_"
# The specification asks for 24 to 64 bytes.
SECRET_BYTES = 32


def new_webhook_secret() -> str:
    """A fresh signing secret, "whsec_" and base64, as receivers' libraries expect it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signature_headers(
    secret: str, message_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """The headers of one signed webhook request carrying `body`.

    `message_id` must stay the same across retries of one delivery: receivers use it
    to drop a copy they already handled.
    """
    assert timestamp.tzinfo is not None, "a naive timestamp would be read as local time"
    unix_seconds = str(int(timestamp.timestamp()))
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    signed = b".".join((message_id.encode(), unix_seconds.encode(), body))
    signature = base64.b64encode(hmac.digest(key, signed, hashlib.sha256)).decode("ascii")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": unix_seconds,
        "webhook-signature": f"v1,{signature}",
        "content-type": "application/json",
    }
