"""The confirmation route: the link mailed at sign-up, and the password of that sign-up,
make the address the account's own.

Opening the link (GET) only shows a form: mail scanners open links, and a link
alone must not confirm a sign-up someone else made with your address. The form
(POST) asks for the password the sign-up was made with, which only whoever
signed up knows.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs
from uuid import UUID

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from tortoise.exceptions import IntegrityError

from models.accounts import Account
from models.download_links import InvalidLinkError
from models.failures import is_connection_failure
from models.sign_up_links import read_confirmation
from schema.auth.passwords import verify_password
from schema.errors import UNAVAILABLE_MESSAGE
from schema.limits.rate_limits import RateLimited, RateRule
from schema.services import Services

# The page loads nothing and posts only to itself.
_PAGE_CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'"
MAX_FORM_BYTES = 4_096


async def confirm_sign_up(request: Request) -> Response:
    services: Services = request.app.state.services
    try:
        account_id, email = read_confirmation(
            services.settings.secret_key, request.path_params["token"]
        )
    except InvalidLinkError:
        return _page(
            "This confirmation link is not valid, or has expired: sign up again.", status=400
        )
    try:
        if request.method == "GET":
            return await _form(account_id, email)
        return await _confirm(request, services, account_id, email)
    except RateLimited as exc:
        return _page(
            f"Too many tries: try again in {exc.retry_after} s.",
            status=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except Exception as exc:
        if not is_connection_failure(exc):
            raise
        return PlainTextResponse(UNAVAILABLE_MESSAGE, status_code=503, headers={"Retry-After": "5"})


async def _form(account_id: UUID, email: str) -> Response:
    if not await Account.filter(id=account_id, pending_email=email).exists():
        return await _settled(account_id, email)
    return _page(
        f"Confirm that {email} is yours: enter the password you signed up with.",
        form=True,
    )


async def _confirm(request: Request, services: Services, account_id: UUID, email: str) -> Response:
    await services.rate_limiter.hit(
        RateRule("confirmations", services.settings.rate_limit_logins),
        f"address:{request.client.host if request.client else 'unknown'}",
    )
    body = await request.body()
    password = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace")).get("password", [""])[0]
    account = await Account.get_or_none(id=account_id, pending_email=email)
    if account is None:
        return await _settled(account_id, email)
    if not await verify_password(account.password_hash, password):
        return _page("That is not the password this sign-up was made with.", status=403, form=True)
    try:
        confirmed = await Account.filter(id=account_id, pending_email=email).update(
            email=email, pending_email=None
        )
    except IntegrityError:
        # Another sign-up of the same address was confirmed first.
        return _page(f"{email} has been confirmed by another sign-up.", status=409)
    if not confirmed:
        return await _settled(account_id, email)
    return _page(f"Your email is confirmed: sign in as {email}.")


async def _settled(account_id: UUID, email: str) -> Response:
    """The answer to a link whose sign-up is no longer pending."""
    if await Account.filter(id=account_id, email=email).exists():
        return _page(f"{email} is confirmed: sign in with it.")
    return _page(
        "This sign-up no longer exists (unconfirmed ones are deleted after a week): sign up again.",
        status=410,
    )


def _page(
    message: str, *, status: int = 200, form: bool = False, headers: dict[str, str] | None = None
) -> Response:
    fields = (
        '<form method="post"><label>Password <input type="password" name="password" '
        'autocomplete="current-password" required autofocus></label> '
        "<button>Confirm</button></form>"
        if form
        else ""
    )
    page = (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Reports: confirm your email</title><p>{html.escape(message)}</p>{fields}</html>"
    )
    return HTMLResponse(
        page,
        status_code=status,
        headers={
            "Content-Security-Policy": _PAGE_CSP,
            "Cache-Control": "no-store",
            **(headers or {}),
        },
    )
