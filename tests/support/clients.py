"""Clients of the API, signed up as a user signs up: in-process, or against a running API."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import httpx
from starlette.applications import Starlette

from client.graphql_client import ReportsClient
from models.sign_up_links import confirmation_path
from tests.support.documents import ME, REGISTER

# Every test account's password.
PASSWORD = "correct horse battery"
# The Accept header of a client that takes a subscription's answer over HTTP, as
# Apollo Client's HttpLink sends it.
MULTIPART_ACCEPT = "multipart/mixed;subscriptionSpec=1.0,application/json"


async def register(client: ReportsClient) -> dict[str, Any]:
    """Sign `client` up as a new account and keep its token; the answer (token, user)."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    data = await client.execute(REGISTER, {"email": email, "password": PASSWORD})
    client.token = data["register"]["token"]
    registered: dict[str, Any] = data["register"]
    return registered


def in_process_client(app: Starlette) -> ReportsClient:
    """A client of the in-process app (its lifespan already running), not signed in."""
    return ReportsClient("http://testserver", transport=httpx.ASGITransport(app=app))


def token_of(client: ReportsClient) -> str:
    """The token of a signed-in client, for tests that speak the wire themselves."""
    assert client.token is not None, "the client is signed in"
    return client.token


async def confirm_email(client: ReportsClient, secret_key: str, password: str = PASSWORD) -> str:
    """Confirm the signed-up address of `client`'s account as its owner would: open the
    link its sign-up email carries (made here with the stack's key) and give the
    password it signed up with. The address."""
    me = (await client.execute(ME))["me"]
    path = confirmation_path(secret_key, UUID(me["id"]), me["email"], 3600)
    opened = await client.download(path)
    assert opened.status_code == 200 and 'name="password"' in opened.text, opened.text
    confirmed = await client.confirm_sign_up(path, password)
    assert confirmed.status_code == 200 and "confirmed" in confirmed.text, confirmed.text
    email: str = me["email"]
    return email
