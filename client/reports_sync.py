"""The typed client for scripts that are not async: the same methods, blocking.

    with ReportsSync("http://127.0.0.1:8000") as reports:
        reports.sign_in("shop@example.com", "a long password")
        job = reports.request_report(RequestReportInput(kind=ReportKind.SALES,
                                                        format=ReportFormat.CSV))
        for event in reports.watch_job(job.request_report.id):
            print(event.report_job.status, event.report_job.progress)

Each call runs the async client's method on an event loop this object keeps in a
thread of its own, so it also works where a loop is already running (a notebook).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from client.reports import Reports

R = TypeVar("R")


# Arguments are passed through unchecked (mypy cannot carry a generated method's
# parameters over to another class); what each method answers keeps its type.
def _blocking(method: Callable[..., Awaitable[R]]) -> Callable[..., R]:
    def call(self: ReportsSync, *args: Any, **kwargs: Any) -> R:
        return self._run(method(self.reports, *args, **kwargs))

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


def _streaming(method: Callable[..., AsyncGenerator[R]]) -> Callable[..., Iterator[R]]:
    def call(self: ReportsSync, *args: Any, **kwargs: Any) -> Iterator[R]:
        stream = method(self.reports, *args, **kwargs)

        async def step() -> R:
            return await anext(stream)

        try:
            while True:
                try:
                    yield self._run(step())
                except StopAsyncIteration:
                    return
        finally:
            with contextlib.suppress(RuntimeError):
                self._run(stream.aclose())

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


class ReportsSync:
    """The service at `base_url`, as the account `token` names (or none yet)."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.reports = self._run(self._make(base_url, token, timeout))

    @staticmethod
    async def _make(base_url: str, token: str | None, timeout: float) -> Reports:
        # Made on its loop: its HTTP client belongs to that loop.
        return Reports(base_url, token, timeout=timeout)

    def _run(self, work: Coroutine[Any, Any, R] | Awaitable[R]) -> R:
        async def wrapped() -> R:
            return await work

        future: Future[R] = asyncio.run_coroutine_threadsafe(wrapped(), self._loop)
        try:
            return future.result()
        except BaseException:
            # Ctrl-C in the caller's thread: stop the work on the client's loop too,
            # and let it finish stopping before the caller goes on.
            if not future.done():
                future.cancel()
                with contextlib.suppress(BaseException):
                    future.result()
            raise

    @property
    def token(self) -> str | None:
        return self.reports.token

    @token.setter
    def token(self, token: str | None) -> None:
        self.reports.token = token

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self.reports.http_client.aclose())
        self._run(self._loop.shutdown_asyncgens())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> ReportsSync:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def download(self, job: Any, directory: Path) -> Path:
        return self._run(self.reports.download(job, directory))

    sign_in = _blocking(Reports.sign_in)
    register = _blocking(Reports.register)
    login = _blocking(Reports.login)
    logout = _blocking(Reports.logout)
    rotate_webhook_secret = _blocking(Reports.rotate_webhook_secret)
    me = _blocking(Reports.me)
    products = _blocking(Reports.products)
    upsert_product = _blocking(Reports.upsert_product)
    order = _blocking(Reports.order)
    orders = _blocking(Reports.orders)
    create_order = _blocking(Reports.create_order)
    complete_order = _blocking(Reports.complete_order)
    cancel_order = _blocking(Reports.cancel_order)
    report_job = _blocking(Reports.report_job)
    report_jobs = _blocking(Reports.report_jobs)
    report_stats = _blocking(Reports.report_stats)
    request_report = _blocking(Reports.request_report)
    regenerate_report = _blocking(Reports.regenerate_report)
    cancel_report = _blocking(Reports.cancel_report)
    retry_report = _blocking(Reports.retry_report)
    delete_report = _blocking(Reports.delete_report)
    watch_job = _streaming(Reports.watch_job)
    watch_jobs = _streaming(Reports.watch_jobs)
    report_schedule = _blocking(Reports.report_schedule)
    report_schedules = _blocking(Reports.report_schedules)
    schedule_runs = _blocking(Reports.schedule_runs)
    create_report_schedule = _blocking(Reports.create_report_schedule)
    update_report_schedule = _blocking(Reports.update_report_schedule)
    set_report_schedule_enabled = _blocking(Reports.set_report_schedule_enabled)
    run_report_schedule_now = _blocking(Reports.run_report_schedule_now)
    delete_report_schedule = _blocking(Reports.delete_report_schedule)
