"""A job aborted while it completes waits for the completion, however often it is cancelled.

Otherwise its clean-up, seeing no completion yet, would delete the file of a job
the database then records as COMPLETED. arq cancels a task once per abort request
and once more at shutdown, so several cancels can arrive during one completion.
"""

from __future__ import annotations

import asyncio

from workers.tasks import wait_out

CANCELS = 3


async def test_a_completion_is_waited_out_through_every_cancel() -> None:
    committed = asyncio.Event()

    async def complete() -> str:
        await committed.wait()
        return "COMPLETED"

    completion = asyncio.ensure_future(complete())
    waiting = asyncio.create_task(wait_out(completion))
    for _ in range(CANCELS):
        await asyncio.sleep(0)
        waiting.cancel()
    await asyncio.sleep(0)
    assert not waiting.done(), "still waiting for the completion"
    assert not completion.done(), "the completion itself is not cancelled"

    committed.set()
    assert await waiting is True, "it tells that it was cancelled meanwhile"
    assert completion.result() == "COMPLETED"


async def test_an_uncancelled_wait_says_so() -> None:
    completion = asyncio.ensure_future(asyncio.sleep(0, result="COMPLETED"))
    assert await wait_out(completion) is False
    assert completion.result() == "COMPLETED"
