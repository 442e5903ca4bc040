"""An HTTP subscription of a session that signs out ends, its last part saying why.

A signed-out WebSocket is closed with its Refusal's code and reason; a
multipart HTTP response has no close frame, so the stream stops instead, with
one last result carrying the Refusal as a coded error before the multipart end.
Ending it also closes the subscription's own stream, which releases what it
holds (its listener on the event hub).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing

from strawberry.types import ExecutionResult

from schema.auth.revocation import LiveConnection
from schema.auth.sessions import Caller
from schema.http.refusals import Refusal


class _SignOut:
    """Whether, and why, the session signed out; the wait for a result to cut short if so."""

    __slots__ = ("refusal", "waiting")

    def __init__(self) -> None:
        self.refusal: Refusal | None = None
        self.waiting: asyncio.Timeout | None = None

    def end(self, refusal: Refusal) -> None:
        if self.refusal is not None:
            return
        self.refusal = refusal
        if self.waiting is not None:
            # Cancels the wait at once; it surfaces as TimeoutError where it was awaited.
            self.waiting.reschedule(asyncio.get_running_loop().time())


async def until_signed_out(
    results: AsyncGenerator[ExecutionResult, None], connection: LiveConnection, caller: Caller
) -> AsyncGenerator[ExecutionResult, None]:
    """`results` until the caller's session signs out (`connection` watches it), then its
    Refusal's error; only that error if it signed out before the stream began.

    A stream waits for its next event for as long as there is none (a reportJobs
    stream never ends by itself), so that wait is what a sign-out cuts short.
    """
    sign_out = _SignOut()
    signed_out = connection.connected(caller, sign_out.end)
    if signed_out is not None:
        sign_out.end(signed_out)
    try:
        async with aclosing(results):
            while sign_out.refusal is None:
                try:
                    async with asyncio.timeout(None) as sign_out.waiting:
                        result = await anext(results)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    if sign_out.refusal is None:
                        raise
                    break
                finally:
                    sign_out.waiting = None
                yield result
        assert sign_out.refusal is not None
        yield ExecutionResult(data=None, errors=[sign_out.refusal.error])
    finally:
        connection.stop()
