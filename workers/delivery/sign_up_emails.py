"""The email a sign-up gets: a confirmation link, or, for an address that has an account
already, a notice to its owner. Sent by a worker, so that `register` answers the same,
as fast, whichever it is (models/accounts.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.accounts import PENDING_ACCOUNT_LIFETIME, Account
from models.database import CONNECTION
from models.failures import is_connection_failure
from models.orders import OrderItem
from models.report_jobs import ReportJob
from models.settings import Settings
from models.sign_up_links import confirmation_path
from workers.context import WorkerContext
from workers.delivery.email_sender import OutgoingEmail, send_email
from workers.delivery.errors import DeliveryError
from workers.queue import enqueue_sign_up_email

logger = logging.getLogger(__name__)

# Sign-up emails one address gets in an hour at most (the rest wait): sign-ups cannot
# fill a mailbox.
MAILS_PER_ADDRESS = 3
MAIL_INTERVAL = timedelta(hours=1)
# A sign-up whose email was not enqueued (Redis down) is mailed by the sweep after this.
SWEEP_GRACE = timedelta(seconds=30)


async def send_sign_up_email(ctx: dict[str, Any], account_id: str) -> str:
    worker = WorkerContext.of(ctx)
    account = await Account.get_or_none(id=account_id)
    if account is None or account.pending_email is None or account.sign_up_mailed_at:
        return "nothing to send"
    address = account.pending_email
    now = datetime.now(UTC)
    mailed_lately = (
        await Account.filter(Q(pending_email=address) | Q(email=address))
        .filter(sign_up_mailed_at__gte=now - MAIL_INTERVAL)
        .count()
    )
    if mailed_lately >= MAILS_PER_ADDRESS:
        # This one waits: the sweep sends it once the hour has moved on.
        logger.info("account %s: its address was mailed enough lately; later", account.id)
        return "postponed"
    # Claimed before sending: two workers never both send it.
    if not await Account.filter(id=account.id, sign_up_mailed_at__isnull=True).update(
        sign_up_mailed_at=now
    ):
        return "claimed elsewhere"
    owned = await Account.filter(email=address).exists()
    settings = worker.settings
    message = _notice(settings, account) if owned else _confirmation(settings, account)
    try:
        await send_email(settings, message)
    except DeliveryError as exc:
        logger.warning("account %s: sign-up email failed: %s", account.id, exc.reason)
        if not exc.permanent:
            # The sweep tries again; a refused address is not tried again.
            await Account.filter(id=account.id, sign_up_mailed_at=now).update(
                sign_up_mailed_at=None
            )
        return "failed"
    return "sent"


def _confirmation(settings: Settings, account: Account) -> OutgoingEmail:
    assert account.pending_email is not None
    # Valid as long as the sign-up is kept.
    ttl = int((account.created_at + PENDING_ACCOUNT_LIFETIME - datetime.now(UTC)).total_seconds())
    link = settings.public_url.rstrip("/") + confirmation_path(
        settings.secret_key, account.id, account.pending_email, ttl
    )
    text = (
        f"Welcome to Reports. To sign in as {account.pending_email} from now on, confirm "
        f"that this address is yours: open this link and enter the password you signed "
        f"up with.\n\n{link}\n\n"
        f"Until then the account works with the token you signed up with. An account "
        f"not confirmed within {PENDING_ACCOUNT_LIFETIME.days} days is deleted, with "
        "what it holds.\n\nIf you did not sign up, ignore this message.\n"
    )
    return OutgoingEmail(
        to=account.pending_email,
        subject="Confirm your email for Reports",
        text=text,
        html=None,
        attachment=None,
        message_id=f"<sign-up-{account.id.hex}@reports>",
    )


def _notice(settings: Settings, account: Account) -> OutgoingEmail:
    assert account.pending_email is not None
    text = (
        f"Someone (perhaps you) tried to sign up to Reports as {account.pending_email}, "
        "which already has an account. Nothing changed on your account.\n\n"
        f"If it was you, sign in with your password at {settings.public_url}. If not, you "
        "can ignore this message.\n"
    )
    return OutgoingEmail(
        to=account.pending_email,
        subject="Someone tried to sign up with your email",
        text=text,
        html=None,
        attachment=None,
        message_id=f"<sign-up-{account.id.hex}@reports>",
    )


async def sweep_sign_ups(worker: WorkerContext) -> None:
    """Mail sign-ups whose email was never enqueued or failed; delete pending accounts
    left unconfirmed past PENDING_ACCOUNT_LIFETIME, with their jobs' files."""
    now = datetime.now(UTC)
    unmailed = await Account.filter(
        pending_email__isnull=False,
        sign_up_mailed_at__isnull=True,
        created_at__lt=now - SWEEP_GRACE,
        created_at__gte=now - PENDING_ACCOUNT_LIFETIME,
    ).only("id")
    for account in unmailed:
        await enqueue_sign_up_email(worker.queue, account.id)
    expired = await Account.filter(
        pending_email__isnull=False, created_at__lt=now - PENDING_ACCOUNT_LIFETIME
    ).only("id")
    for account in expired:
        try:
            await _delete_pending(worker, account.id, now - PENDING_ACCOUNT_LIFETIME)
        except Exception as exc:
            if is_connection_failure(exc):
                raise
            logger.exception("account %s: could not delete the stale sign-up", account.id)


async def _delete_pending(worker: WorkerContext, account_id: UUID, cutoff: datetime) -> None:
    """Delete a sign-up still pending since before `cutoff`, then its jobs' files."""
    jobs = [job.id for job in await ReportJob.filter(account_id=account_id).only("id")]
    async with in_transaction(CONNECTION):
        stale = Account.filter(id=account_id, pending_email__isnull=False, created_at__lt=cutoff)
        if not await stale.exists():
            return
        # Items first: a product that items point at may not go before them.
        await OrderItem.filter(order__account_id=account_id).delete()
        await stale.delete()
    for job_id in jobs:
        await worker.storage.delete_job(job_id)
    logger.info("account %s: never confirmed; deleted", account_id)
