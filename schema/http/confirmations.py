"""The confirmation route: the link mailed at sign-up makes the address the account's own."""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from tortoise.exceptions import IntegrityError

from models.accounts import Account
from models.download_links import InvalidLinkError
from models.failures import is_connection_failure
from models.sign_up_links import read_confirmation
from schema.errors import UNAVAILABLE_MESSAGE
from schema.services import Services


async def confirm_sign_up(request: Request) -> Response:
    services: Services = request.app.state.services
    try:
        account_id, email = read_confirmation(
            services.settings.secret_key, request.path_params["token"]
        )
    except InvalidLinkError:
        return PlainTextResponse(
            "This confirmation link is not valid, or has expired: sign up again.",
            status_code=400,
        )
    try:
        return await _confirm(account_id, email)
    except Exception as exc:
        if not is_connection_failure(exc):
            raise
        return PlainTextResponse(UNAVAILABLE_MESSAGE, status_code=503, headers={"Retry-After": "5"})


async def _confirm(account_id: UUID, email: str) -> Response:
    try:
        confirmed = await Account.filter(id=account_id, pending_email=email).update(
            email=email, pending_email=None
        )
    except IntegrityError:
        # Another sign-up of the same address was confirmed first.
        return PlainTextResponse(
            f"{email} already has an account: sign in with it.", status_code=409
        )
    if confirmed or await Account.filter(id=account_id, email=email).exists():
        return PlainTextResponse(f"Your email is confirmed: sign in as {email}.")
    return PlainTextResponse(
        "This sign-up no longer exists (unconfirmed ones are deleted after a week): sign up again.",
        status_code=410,
    )
