"""The typed client: every operation of the contract as a typed async method.

    async with Reports("http://127.0.0.1:8000") as reports:
        await reports.sign_in("shop@example.com", "a long password")
        job = (await reports.request_report(RequestReportInput(kind=ReportKind.SALES,
                                                               format=ReportFormat.PDF)))
        async for event in reports.watch_job(job.request_report.id):
            print(event.report_job.status, event.report_job.progress)

The methods, their arguments and their answers are generated (client/generated/,
by ariadne-codegen from schema.graphql and client/operations.graphql). This class
adds what a generator cannot know: the token, errors raised as ReportsError by
their contract code, and subscriptions that survive a dropped connection.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.typing import Data

from client.errors import (
    RateLimited,
    ReportsError,
    ServiceUnavailable,
    Unauthenticated,
    UnexpectedError,
    Unreachable,
    error_from,
    error_from_close,
)
from client.generated import GeneratedClient
from client.generated.async_base_client import (
    GraphQLTransportWSMessageType,
    HttpClient,
    Response,
)
from client.generated.base_model import UNSET, UnsetType
from client.generated.enums import DeliveryStatus, JobStatus
from client.generated.exceptions import (
    GraphQLClientError,
    GraphQLClientGraphQLMultiError,
    GraphQLClientHttpError,
)
from client.generated.fragments import JobFields
from client.generated.watch_job import WatchJob
from client.generated.watch_jobs import WatchJobs

TERMINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
# A dropped subscription is opened again after a randomised, growing wait, for up
# to this long without an answer.
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 10.0
RECONNECT_GIVE_UP_SECONDS = 300.0
# websockets pings the server this often and gives up on a socket that does not
# answer within the same time: a dead network is noticed, and reconnected from.
PING_SECONDS = 10.0
_KEEPALIVE = {"ping_interval": PING_SECONDS, "ping_timeout": PING_SECONDS}
# HTTP statuses the API answers before GraphQL runs, and what they mean here.
_HTTP_CODES = {401: Unauthenticated, 429: RateLimited}

Event = TypeVar("Event", WatchJob, WatchJobs)


def settled(job: JobFields) -> bool:
    """Terminal, and every delivery sent or given up: nothing more will change."""
    return job.status in TERMINAL_STATUSES and all(
        delivery.status is not DeliveryStatus.PENDING for delivery in job.deliveries
    )


class Reports(GeneratedClient):
    """The service at `base_url`, as the account `token` names (or none yet)."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        super().__init__(
            url=f"{self.base_url}/graphql",
            http_client=cast(HttpClient, self._http),
            ws_url=_websocket_url(self.base_url),
        )
        self.token = token

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, token: str | None) -> None:
        self._token = token
        authorization = {"Authorization": f"Bearer {token}"} if token else {}
        self._http.headers.pop("Authorization", None)
        self._http.headers.update(authorization)
        # Over a WebSocket the token goes in connection_init, where the API reads it.
        self.ws_connection_init_payload = authorization or None

    async def sign_in(self, email: str, password: str) -> str:
        """Sign in (`login`) and keep the token for what follows; the token."""
        self.token = (await self.login(email, password)).login.token
        return self.token

    async def download(self, job: JobFields, directory: Path) -> Path:
        """The COMPLETED job's file, saved in `directory` under the name the service
        gives it (with a number added rather than over a file already there); its path."""
        if job.download_url is None:
            raise UnexpectedError(f"job {job.id} has no file to download ({job.status.value})")
        url = httpx.URL(self.base_url).join(job.download_url)
        # The signed link is the credential: the token goes to this service only.
        headers = None if _same_origin(url, self.base_url) else {"Authorization": ""}
        fallback = f"report-{job.id}.{job.format.value.lower()}"
        try:
            async with self._http.stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise UnexpectedError(
                        f"the download answered {response.status_code}: {response.text.strip()}"
                    )
                name = _attachment_name(response.headers.get("content-disposition", ""))
                partial = directory / f".{fallback}.part"
                try:
                    with partial.open("wb") as file:
                        async for chunk in response.aiter_bytes():
                            file.write(chunk)
                except BaseException:
                    partial.unlink(missing_ok=True)
                    raise
        except httpx.TransportError as exc:
            raise Unreachable(f"{self.base_url} did not answer: {exc}") from exc
        return _place(partial, directory / (name or fallback))

    # The generated methods send through these two: errors leave as ReportsError.

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Response:
        try:
            return await super().execute(query, operation_name, variables, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f"{self.base_url} did not answer: {exc}") from exc

    def get_data(self, response: Response) -> dict[str, Any]:
        try:
            return super().get_data(response)
        except GraphQLClientGraphQLMultiError as exc:
            first = exc.errors[0]
            raise error_from(first.message, first.extensions) from exc
        except GraphQLClientHttpError as exc:
            retry = (
                response.headers.get("retry-after")
                if isinstance(response, httpx.Response)
                else None
            )
            error = _http_error(exc.status_code, f"HTTP {exc.status_code} from {self.base_url}")
            error.retry_after = int(retry) if retry and retry.isdigit() else None
            raise error from exc
        except GraphQLClientError as exc:
            raise UnexpectedError(f"{self.base_url} did not answer as GraphQL does: {exc}") from exc

    # Subscriptions: opened again after a drop, and resynchronised.

    async def watch_job(self, id: str, **kwargs: Any) -> AsyncGenerator[WatchJob]:
        """The job now, then each change until it is settled. A dropped connection is
        opened again; the service then sends the job as it is, so nothing is missed,
        and nothing already seen is repeated."""
        seen = -1
        kwargs = {**_KEEPALIVE, **kwargs}
        async for event in self._reconnecting(lambda: super(Reports, self).watch_job(id, **kwargs)):
            job = event.report_job
            if job.version <= seen:
                continue
            seen = job.version
            yield event
            if settled(job):
                return

    async def watch_jobs(
        self, status: list[JobStatus] | UnsetType | None = UNSET, **kwargs: Any
    ) -> AsyncGenerator[WatchJobs]:
        """Every change to any of the account's jobs (only those reaching `status`, if
        given). After a dropped connection, the newest jobs are read again and those
        that changed meanwhile are sent first."""
        kwargs = {**_KEEPALIVE, **kwargs}
        # Jobs made from now on are news, seen or not (a small margin for clocks).
        watching_since = datetime.now(UTC) - timedelta(seconds=5)
        seen: dict[str, int] = {}
        wanted = None if isinstance(status, UnsetType) or status is None else set(status)

        def fresh(job: JobFields) -> bool:
            if job.version <= seen.get(job.id, -1):
                return False
            seen[job.id] = job.version
            return True

        async def caught_up() -> AsyncIterator[WatchJobs]:
            # The socket is open again before this is read: a change after the read
            # arrives over it, one before is in the read.
            stream = super(Reports, self).watch_jobs(status, **kwargs)
            jobs = (await self.report_jobs(first=50)).report_jobs.edges
            for edge in reversed(jobs):
                job = edge.node
                news = job.id in seen or job.created_at >= watching_since
                if news and (wanted is None or job.status in wanted):
                    yield WatchJobs.model_validate({"reportJobs": job.model_dump(by_alias=True)})
            async for event in stream:
                yield event

        first = True

        def open_stream() -> AsyncIterator[WatchJobs]:
            nonlocal first
            if first:
                first = False
                return super(Reports, self).watch_jobs(status, **kwargs)
            return caught_up()

        async for event in self._reconnecting(open_stream):
            if fresh(event.report_jobs):
                yield event

    async def _reconnecting(
        self, open_stream: Callable[[], AsyncIterator[Event]]
    ) -> AsyncIterator[Event]:
        """Events of the stream `open_stream` opens, opened again whenever it ends: the
        caller stops iterating once it has what it waits for (a server going away
        with 1001 ends a stream just as one that is complete does).

        A service that never answered is reported at once (Unreachable); one that
        answered and went away is waited for, up to RECONNECT_GIVE_UP_SECONDS."""
        attempt = 0
        streamed = False
        failing_since: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            try:
                async for event in open_stream():
                    attempt, streamed, failing_since = 0, True, None
                    yield event
            except ConnectionClosed as closed:
                refusal = error_from_close(closed.rcvd.reason) if closed.rcvd else None
                if isinstance(refusal, RateLimited):
                    await asyncio.sleep(refusal.retry_after or RECONNECT_MAX_SECONDS)
                    continue
                if refusal is not None and not _passes(refusal):
                    raise refusal from closed
            except GraphQLClientGraphQLMultiError as exc:
                first = exc.errors[0]
                raise error_from(first.message, first.extensions) from exc
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status < 500:
                    raise _http_error(status, f"the WebSocket handshake answered {status}") from exc
                if not streamed:
                    raise ServiceUnavailable(f"{self.base_url} answered {status}") from exc
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError, GraphQLClientError) as exc:
                if not streamed:
                    raise Unreachable(f"{self.base_url} did not answer: {exc}") from exc
            except ReportsError as exc:
                # Catching up reads over HTTP, which can find the service still away.
                if not isinstance(exc, Unreachable) and not _passes(exc):
                    raise
            failing_since = failing_since or loop.time()
            if loop.time() - failing_since > RECONNECT_GIVE_UP_SECONDS:
                raise Unreachable(
                    f"{self.base_url} has not answered for {RECONNECT_GIVE_UP_SECONDS:g} s"
                )
            await asyncio.sleep(_backoff(attempt))
            attempt += 1

    async def _handle_ws_message(
        self,
        message: Data,
        websocket: ClientConnection,
        expected_type: GraphQLTransportWSMessageType | None = None,
    ) -> dict[str, Any] | None:
        # A `next` may carry errors and no data (the job is not found, or not yours):
        # the generated client would drop it silently, and the watch wait for ever.
        parsed = json.loads(message) if isinstance(message, str | bytes) else None
        payload = parsed.get("payload") if isinstance(parsed, dict) else None
        if isinstance(payload, dict) and payload.get("errors"):
            raise GraphQLClientGraphQLMultiError.from_errors_dicts(payload["errors"])
        return await super()._handle_ws_message(message, websocket, expected_type)

    async def __aenter__(self) -> Reports:
        return self


def _http_error(status: int, message: str) -> ReportsError:
    if status >= 500:
        return ServiceUnavailable(message)
    return _HTTP_CODES.get(status, UnexpectedError)(message)


def _same_origin(url: httpx.URL, base_url: str) -> bool:
    base = httpx.URL(base_url)
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)


def _place(partial: Path, wanted: Path) -> Path:
    """Move the finished download to `wanted`, or `name-1.ext`... if that is taken."""
    candidate, number = wanted, 0
    while True:
        try:
            os.link(partial, candidate)
        except FileExistsError:
            number += 1
            candidate = wanted.with_name(f"{wanted.stem}-{number}{wanted.suffix}")
            continue
        partial.unlink()
        return candidate


def _passes(refusal: ReportsError) -> bool:
    """A refusal that goes away by itself (the service unavailable a moment)."""
    return refusal.code == "SERVICE_UNAVAILABLE"


def _backoff(attempt: int) -> float:
    wait: float = min(RECONNECT_MAX_SECONDS, RECONNECT_FIRST_SECONDS * 2.0**attempt)
    return wait * random.uniform(0.5, 1.0)


def _websocket_url(base_url: str) -> str:
    scheme, rest = base_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/graphql"


def _attachment_name(disposition: str) -> str | None:
    """The file name the service suggests, if it is a plain one (no folder, no
    leading dot)."""
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "filename" and value:
            name = Path(value.strip('"')).name
            return name if name and not name.startswith(".") else None
    return None
