"""The email a sign-up gets: a confirmation link, or, for an address that has an account
already, a notice to its owner. Sent by a worker, so that `register` answers the same,
as fast, whichever it is (models/accounts.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts import PENDING_ACCOUNT_LIFETIME, Account
from models.report_jobs import ReportJob
from models.settings import Settings
from models.sign_up_links import confirmation_path
from workers.context import WorkerContext
from workers.delivery.email_sender import OutgoingEmail, send_email
from workers.delivery.errors import DeliveryError
from workers.queue import enqueue_sign_up_email
from workers.storage import remove_job_files

logger = logging.getLogger(__name__)

# At most one sign-up email an hour to one address: sign-ups cannot fill a mailbox.
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
    recently = await Account.filter(
        pending_email=address, sign_up_mailed_at__gte=now - MAIL_INTERVAL
    ).exists()
    # Claimed before sending: two workers never both send it.
    if not await Account.filter(id=account.id, sign_up_mailed_at__isnull=True).update(
        sign_up_mailed_at=now
    ):
        return "claimed elsewhere"
    if recently:
        logger.info("account %s: a sign-up email went to its address lately; none now", account.id)
        return "held back"
    owned = await Account.filter(email=address).exists()
    settings = worker.settings
    message = _notice(settings, account) if owned else _confirmation(settings, account)
    try:
        await send_email(settings, message)
    except DeliveryError as exc:
        logger.warning("account %s: sign-up email failed: %s", account.id, exc.reason)
        # The sweep tries again.
        await Account.filter(id=account.id, sign_up_mailed_at=now).update(sign_up_mailed_at=None)
        return "failed"
    return "sent"


def _confirmation(settings: Settings, account: Account) -> OutgoingEmail:
    assert account.pending_email is not None
    ttl = int(PENDING_ACCOUNT_LIFETIME.total_seconds())
    link = settings.public_url.rstrip("/") + confirmation_path(
        settings.secret_key, account.id, account.pending_email, ttl
    )
    text = (
        f"Welcome to Reports. To sign in as {account.pending_email} from now on, confirm "
        f"that this address is yours:\n\n{link}\n\n"
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
        for job in await ReportJob.filter(account_id=account.id).only("id"):
            await asyncio.to_thread(remove_job_files, worker.settings.reports_dir, job.id)
        await Account.filter(id=account.id, pending_email__isnull=False).delete()
        logger.info("account %s: never confirmed; deleted", account.id)
