"""How a failed send is reported to the outbox that retries it."""

from __future__ import annotations


class DeliveryError(Exception):
    """One send did not get through. `reason` is what the other side said (an SMTP
    reply, an HTTP status) or what went wrong on the way; it is shown to the user as
    `Delivery.error`, so it never holds a secret.

    `permanent`: trying again cannot help (a refused recipient, a URL that is not
    allowed); the outbox stops at once. `retry_after`: the other side asked us to
    wait this many seconds (HTTP Retry-After) before the next try.
    """

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
