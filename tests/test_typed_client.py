"""The typed client (client/reports.py over client/generated/) against a real API and
worker: typed answers, errors as exceptions by their contract code, and
subscriptions that outlive a restart of the API they were opened on."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from client.errors import BadInput, NotFound, Unauthenticated, Unreachable
from client.generated import GeneratedClient
from client.generated.enums import JobStatus, ReportFormat, ReportKind
from client.generated.fragments import JobFields
from client.generated.input_types import (
    CreateOrderInput,
    OrderItemInput,
    ProductInput,
    RequestReportInput,
)
from client.reports import Reports
from client.reports_sync import ReportsSync
from models.settings import Settings
from service.embedded_redis import LOOPBACK
from service.processes import listen, running_api, running_worker
from tests.support.stacks import StackFactory, fast_recovery

PASSWORD = "correct horse battery staple"


async def signed_up(reports: Reports) -> str:
    email = f"typed-{uuid.uuid4().hex[:10]}@example.com"
    answer = await reports.register(email, PASSWORD)
    reports.token = answer.sign_up.token
    return email


async def shop_with_sales(reports: Reports, lines: int = 1) -> None:
    await reports.upsert_product(
        ProductInput(sku="TEA-1", name="Green tea", price=Decimal("4.20"), stock=10_000)
    )
    for _ in range(lines):
        order = await reports.create_order(
            CreateOrderInput(
                customerName="Grace",
                customerEmail="grace@example.com",
                items=[OrderItemInput(sku="TEA-1", quantity=2)],
            )
        )
        await reports.complete_order(order.create_order.id)


@pytest.fixture(scope="module")
async def lab(stack: StackFactory) -> Settings:
    return await stack("typed", **fast_recovery(read_chunk_rows=2, fault_chunk_delay_seconds=0.1))


async def test_a_report_requested_watched_and_downloaded_with_types(
    lab: Settings, tmp_path: Path
) -> None:
    with running_api(lab) as url, running_worker(lab):
        async with Reports(url) as reports:
            await signed_up(reports)
            await shop_with_sales(reports)
            requested = await reports.request_report(
                RequestReportInput(kind=ReportKind.SALES, format=ReportFormat.CSV, title="Tea")
            )
            job = requested.request_report
            assert job.status is JobStatus.PENDING and job.title == "Tea"
            events = [event.report_job async for event in reports.watch_job(job.id)]
            assert events[-1].status is JobStatus.COMPLETED
            assert [event.version for event in events] == sorted({e.version for e in events})
            path = await reports.download(events[-1], tmp_path)
            assert path.parent == tmp_path and path.suffix == ".csv"
            assert path.read_text().splitlines()[1].endswith(",1,2,8.40,8.40")
            listed = await reports.report_jobs(first=10)
            assert listed.report_jobs.total_count == 1
            assert listed.report_jobs.edges[0].node.row_count == 1


async def test_errors_arrive_as_exceptions_with_their_code(lab: Settings) -> None:
    with running_api(lab) as url:
        async with Reports(url) as reports:
            with pytest.raises(Unauthenticated):
                await reports.me()
            await signed_up(reports)
            with pytest.raises(BadInput) as refused:
                await reports.upsert_product(
                    ProductInput(sku="BAD", name="Bad", price=Decimal("-1.00"), stock=1)
                )
            assert refused.value.field == "price" and refused.value.code == "BAD_USER_INPUT"
            with pytest.raises(NotFound):
                await reports.cancel_report(str(uuid.uuid4()))
            products = await reports.products(first=50)
            assert products.products.total_count == 0, "a refused write changes nothing"
    async with Reports(url) as gone:
        with pytest.raises(Unreachable):
            await gone.me()
        with pytest.raises(Unreachable):
            async for _ in gone.watch_job(str(uuid.uuid4())):
                pass


async def test_watching_a_job_that_is_not_there_ends_with_not_found(lab: Settings) -> None:
    with running_api(lab) as url:
        async with Reports(url) as reports:
            await signed_up(reports)
            with pytest.raises(NotFound):
                async for _ in reports.watch_job(str(uuid.uuid4())):
                    pass


async def test_a_download_never_replaces_a_file(lab: Settings, tmp_path: Path) -> None:
    with running_api(lab) as url, running_worker(lab):
        async with Reports(url) as reports:
            await signed_up(reports)
            job = (
                await reports.request_report(
                    RequestReportInput(kind=ReportKind.INVENTORY, format=ReportFormat.CSV)
                )
            ).request_report
            done = [event.report_job async for event in reports.watch_job(job.id)][-1]
            first = await reports.download(done, tmp_path)
            second = await reports.download(done, tmp_path)
    assert first != second and second.stem == f"{first.stem}-1"
    assert names_in(tmp_path) == sorted([first.name, second.name]), "no partial file left"


def names_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_a_subscription_outlives_an_api_restart_and_sees_completed(lab: Settings) -> None:
    with listen(LOOPBACK, 0) as probe:
        port = probe.getsockname()[1]
    with running_worker(lab), contextlib.ExitStack() as first_api:
        url = first_api.enter_context(running_api(lab, port=port))
        async with Reports(url) as reports:
            await signed_up(reports)
            await shop_with_sales(reports, lines=120)
            job = (
                await reports.request_report(
                    RequestReportInput(kind=ReportKind.ORDERS, format=ReportFormat.CSV)
                )
            ).request_report
            statuses: list[JobStatus] = []
            running = asyncio.Event()

            async def watch() -> None:
                async for event in reports.watch_job(job.id):
                    statuses.append(event.report_job.status)
                    if event.report_job.status is JobStatus.RUNNING:
                        running.set()

            watcher = asyncio.create_task(watch())
            await asyncio.wait_for(running.wait(), timeout=30)
            assert not watcher.done(), "the job is still running when its API goes"
            first_api.close()  # the API stops mid-job; the worker goes on
            with running_api(lab, port=port):
                await asyncio.wait_for(watcher, timeout=60)
    assert statuses[-1] is JobStatus.COMPLETED
    assert statuses.count(JobStatus.COMPLETED) == 1


async def test_watching_all_jobs_catches_up_on_what_changed_while_away(lab: Settings) -> None:
    with listen(LOOPBACK, 0) as probe:
        port = probe.getsockname()[1]
    with running_worker(lab), contextlib.ExitStack() as first_api:
        url = first_api.enter_context(running_api(lab, port=port))
        async with Reports(url) as reports, Reports(url) as other_tab:
            await signed_up(reports)
            other_tab.token = reports.token
            await shop_with_sales(reports)
            seen: list[tuple[str, JobStatus]] = []
            caught_up = asyncio.Event()

            async def watch() -> None:
                async for event in reports.watch_jobs():
                    seen.append((event.report_jobs.title or "", event.report_jobs.status))
                    if seen[-1] == ("While away", JobStatus.COMPLETED):
                        caught_up.set()

            watcher = asyncio.create_task(watch())
            await asyncio.sleep(1)
            first_api.close()
            # Requested and finished while the watcher's API is away.
            with running_api(lab) as elsewhere:
                async with Reports(elsewhere, reports.token) as script:
                    away = await script.request_report(
                        RequestReportInput(
                            kind=ReportKind.SALES, format=ReportFormat.CSV, title="While away"
                        )
                    )
                    async for _ in script.watch_job(away.request_report.id):
                        pass
            with running_api(lab, port=port):
                await asyncio.wait_for(caught_up.wait(), timeout=60)
                watcher.cancel()
    assert seen.count(("While away", JobStatus.COMPLETED)) == 1


def test_the_blocking_client_offers_every_operation() -> None:
    operations = {
        name
        for name, member in vars(GeneratedClient).items()
        if inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member)
    }
    assert operations, "the generated client has operations"
    assert operations <= set(vars(ReportsSync)), operations - set(vars(ReportsSync))


async def test_the_blocking_client_runs_a_script(lab: Settings, tmp_path: Path) -> None:
    with running_api(lab) as url, running_worker(lab):
        finished = await asyncio.to_thread(blocking_script, url, tmp_path)
    assert finished.status is JobStatus.COMPLETED


def blocking_script(url: str, folder: Path) -> JobFields:
    """What a plain script does: no async anywhere."""
    with ReportsSync(url) as reports:
        email = f"sync-{uuid.uuid4().hex[:10]}@example.com"
        reports.token = reports.register(email, PASSWORD).sign_up.token
        reports.upsert_product(
            ProductInput(sku="INK-1", name="Ink", price=Decimal("3.00"), stock=10)
        )
        job = reports.request_report(
            RequestReportInput(kind=ReportKind.INVENTORY, format=ReportFormat.CSV)
        ).request_report
        last = [event.report_job for event in reports.watch_job(job.id)][-1]
        path = reports.download(last, folder)
        assert "INK-1" in path.read_text()
        with pytest.raises(NotFound):
            reports.retry_report(str(uuid.uuid4()))
        return last
