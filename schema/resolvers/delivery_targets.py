"""Checks of the delivery targets a job or a schedule is given."""

from __future__ import annotations

import asyncio

from models.deliveries import MAX_DELIVERY_TARGETS, DeliveryChannel, DeliveryTarget
from models.settings import Settings
from schema.errors import bad_input
from schema.resolvers.validation import clean_email
from schema.types.deliveries import DeliveryTargetInput
from workers.delivery.webhook_targets import (
    UnsafeWebhookUrl,
    check_webhook_url,
    resolve_webhook_target,
)

FIELD = "deliverTo"


async def check_targets(
    targets: list[DeliveryTargetInput] | None, settings: Settings
) -> tuple[DeliveryTarget, ...]:
    """The targets, each checked (a webhook's host resolved, too: it is checked again
    when sent); an exact repeat is kept once."""
    if not targets:
        return ()
    if len(targets) > MAX_DELIVERY_TARGETS:
        raise bad_input(FIELD, f"{FIELD} takes at most {MAX_DELIVERY_TARGETS} targets")
    checked: list[DeliveryTarget] = []
    for position, target in enumerate(targets):
        if (target.email is None) == (target.webhook_url is None):
            raise bad_input(
                FIELD, f"{FIELD}[{position}] must give exactly one of email and webhookUrl"
            )
        if target.email is not None:
            email = clean_email(FIELD, target.email)
            checked.append(DeliveryTarget(DeliveryChannel.EMAIL, email))
            continue
        assert target.webhook_url is not None
        try:
            url = check_webhook_url(
                target.webhook_url,
                development=settings.is_development,
                allowed_hosts=settings.webhook_allowed_hosts,
            )
            async with asyncio.timeout(settings.webhook_timeout_seconds):
                await resolve_webhook_target(
                    url,
                    development=settings.is_development,
                    allowed_hosts=settings.webhook_allowed_hosts,
                )
        except UnsafeWebhookUrl as exc:
            raise bad_input(FIELD, f"{FIELD}[{position}].webhookUrl: {exc}") from None
        except OSError:
            # Not resolvable now (a receiver being set up, a slow resolver; TimeoutError
            # is an OSError): the send-time check decides.
            pass
        checked.append(DeliveryTarget(DeliveryChannel.WEBHOOK, url))
    return tuple(dict.fromkeys(checked))
