"""Sign-up, sign-in and the caller's identity."""

from __future__ import annotations

from uuid import uuid4

import strawberry

from models.accounts import Account, pending_placeholder
from schema.auth.passwords import hash_password, verify_password
from schema.auth.sessions import start_session
from schema.auth.sign_in_limits import SignInLimits
from schema.context import AppInfo, current_account, current_caller
from schema.errors import bad_input, unauthenticated
from schema.limits.rate_limits import RateRule
from schema.resolvers.validation import clean_email
from schema.types.accounts import AuthPayload, User
from workers.delivery.webhook_secrets import rotate_webhook_secret
from workers.delivery.webhook_signing import new_webhook_secret
from workers.queue import enqueue_sign_up_email

# The same for an unknown address, a wrong password and a sign-up not yet confirmed.
WRONG_CREDENTIALS = "Wrong email or password (a new account signs in once its email is confirmed)"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_EMAIL_KEY_LENGTH = 254


def _user(account: Account) -> User:
    return User(id=strawberry.ID(str(account.id)), email=account.shown_email)


async def _payload(info: AppInfo, account: Account) -> AuthPayload:
    token = await start_session(info.context.services.settings, account.id)
    return AuthPayload(token=token, user=_user(account))


@strawberry.type
class AccountQuery:
    @strawberry.field
    async def me(self, info: AppInfo) -> User:
        account = await Account.get_or_none(id=current_account(info))
        if account is None:
            raise unauthenticated("This account no longer exists")
        return _user(account)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="A new account, usable at once with the token answered; it signs in "
        "with login once the link mailed to the address has confirmed it. An address "
        "that has an account already gets the same answer, and its owner an email."
    )
    async def register(self, info: AppInfo, email: str, password: str) -> AuthPayload:
        email = clean_email("email", email)
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            raise bad_input(
                "password",
                f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            )
        services = info.context.services
        rule = RateRule("sign-ups", services.settings.rate_limit_logins)
        await services.rate_limiter.hit(rule, f"address:{info.context.client_address}")
        # Nothing here looks at whether the address has an account: that is for the
        # worker mailing it (workers/delivery/sign_up_emails.py), so the answer and
        # its timing are the same either way.
        account_id = uuid4()
        account = await Account.create(
            id=account_id,
            email=pending_placeholder(account_id),
            pending_email=email,
            password_hash=await hash_password(password),
            webhook_secret=new_webhook_secret(),
        )
        await enqueue_sign_up_email(services.queue, account.id)
        return await _payload(info, account)

    @strawberry.mutation
    async def login(self, info: AppInfo, email: str, password: str) -> AuthPayload:
        email = email.strip().lower()
        # Limits count longer "emails" (no account's) under their first characters.
        counted_as = email[:MAX_EMAIL_KEY_LENGTH]
        services = info.context.services
        address = info.context.client_address
        limits = SignInLimits(
            services.rate_limiter,
            services.queue,
            services.settings.channel_prefix,
            services.settings.rate_limit_logins,
        )
        await limits.check(counted_as, address)
        account = await Account.get_or_none(email=email)
        password_ok = await verify_password(
            account.password_hash if account else None, password[:MAX_PASSWORD_LENGTH]
        )
        if account is None or not password_ok:
            raise unauthenticated(WRONG_CREDENTIALS)
        await limits.signed_in(counted_as, address)
        return await _payload(info, account)

    @strawberry.mutation(
        description="Revoke the token used for this request, or every token of the account."
    )
    async def logout(self, info: AppInfo, all_sessions: bool = False) -> bool:
        await info.context.services.revocation.revoke(current_caller(info), everywhere=all_sessions)
        return True

    @strawberry.mutation(description="A new secret; the old one stops signing at once.")
    async def rotate_webhook_secret(self, info: AppInfo) -> str:
        return await rotate_webhook_secret(current_account(info))
