"""Sessions, limits, rate limits and production posture, tried from the outside."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
import websockets

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.settings import ENVIRONMENT_VARIABLES, Settings, SettingsError
from schema.auth.sessions import Caller, CheckedSessions
from schema.auth.sign_in_limits import EMAIL_LIMIT_FACTOR
from service.embedded_redis import EmbeddedRedis
from service.processes import running_api
from tests.support.clients import MULTIPART_ACCEPT, PASSWORD, confirm_email, register, token_of
from tests.support.documents import LOGIN, ME, ORDER, REPORT_JOB, REQUEST_REPORT, WATCH_JOBS
from tests.support.sockets import answer, bearer, socket
from tests.support.stacks import SignedInClientFactory, StackFactory
from tests.support.waiting import eventually

LOGOUT = "mutation Logout($all: Boolean) { logout(allSessions: $all) }"
STRONG_SECRET = "a-production-secret-that-is-long-enough-0123456789"
# Announced over Redis: milliseconds, not the recheck interval (10 s).
REVOCATION_REACHES_OTHERS_SECONDS = 2.0
# Sent again within a second or two of Redis answering (RETRY_DELAYS_SECONDS).
ANNOUNCED_AGAIN_SECONDS = 10.0


async def sign_in_again(client: ReportsClient, email: str) -> str:
    data = await client.execute(LOGIN, {"email": email, "password": PASSWORD})
    token: str = data["login"]["token"]
    return token


async def codes_for(client: ReportsClient, token: str | None, document: str = ME) -> list[Any]:
    client.token = token
    body = await client.post(document)
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


async def test_logout_revokes_the_token_used(anonymous: ReportsClient, settings: Settings) -> None:
    me = (await register(anonymous))["user"]
    await confirm_email(anonymous, settings.secret_key)
    first = anonymous.token
    second = await sign_in_again(anonymous, me["email"])
    anonymous.token = first
    assert (await anonymous.execute(LOGOUT, {}))["logout"] is True
    assert await codes_for(anonymous, first) == ["UNAUTHENTICATED"]
    assert await codes_for(anonymous, second) == [], "other sessions stay signed in"


async def test_logout_everywhere_revokes_every_token(
    anonymous: ReportsClient, settings: Settings
) -> None:
    me = (await register(anonymous))["user"]
    await confirm_email(anonymous, settings.secret_key)
    tokens = [anonymous.token, await sign_in_again(anonymous, me["email"])]
    anonymous.token = tokens[1]
    await anonymous.execute(LOGOUT, {"all": True})
    for token in tokens:
        assert await codes_for(anonymous, token) == ["UNAUTHENTICATED"]


async def test_logout_in_one_api_process_signs_out_the_others(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    """Each process remembers tokens it found live; a revocation reaches them all."""
    lab = await stack("revocation")
    with running_api(lab) as first_url, running_api(lab) as second_url:
        first = await signed_in_client(first_url)
        async with ReportsClient(second_url, token=first.token) as second:
            assert (await second.execute(ME))["me"]["email"], "the second process knows it"
            await first.execute(LOGOUT, {})
            await eventually(
                lambda: codes_for(second, first.token),
                lambda codes: codes == ["UNAUTHENTICATED"],
                what="the other process to refuse the token",
                timeout=REVOCATION_REACHES_OTHERS_SECONDS,
            )


async def test_a_logout_announced_while_redis_hung_still_reaches_the_other_processes(
    stack: StackFactory, private_redis: EmbeddedRedis, signed_in_client: SignedInClientFactory
) -> None:
    """A hang too short for the other process's event hub to notice (and recheck its
    sessions on reconnect) loses the announcement; it is sent again once Redis answers."""
    lab = await stack("revocation-hung", redis_url=private_redis.url)
    with running_api(lab) as first_url, running_api(lab) as second_url:
        first = await signed_in_client(first_url)
        async with socket(second_url, bearer(first.token)) as ws:
            assert await answer(ws) == "connection_ack"
            os.kill(private_redis.pid, signal.SIGSTOP)
            try:
                # Its Redis calls time out, so the API's next ones fail at once for a
                # while (one that timed out was sent, and Redis runs it when it wakes;
                # one that failed at once never left): the logout's announcement is lost.
                await first.execute(REQUEST_REPORT, {"input": {"kind": "SALES", "format": "CSV"}})
                await first.execute(LOGOUT, {})
            finally:
                os.kill(private_redis.pid, signal.SIGCONT)
            assert await answer(ws, timeout=ANNOUNCED_AGAIN_SECONDS) == 4401
            assert ws.close_reason == "UNAUTHENTICATED: session revoked; sign in again"


def test_a_lookup_that_raced_a_revocation_is_not_remembered() -> None:
    """A session read live just before its logout committed must not be trusted after."""
    checked = CheckedSessions()
    caller = Caller(uuid4(), uuid4(), datetime.now(UTC) + timedelta(hours=1))
    before_lookup = checked.generation
    checked.forget([caller.session_id])  # the logout, while the lookup was in flight
    checked.put("token", caller, before_lookup)
    assert checked.get("token") is None
    checked.put("token", caller, checked.generation)
    assert checked.get("token") == caller
    checked.forget([caller.session_id])
    assert checked.get("token") is None


async def test_a_revoked_token_cannot_open_a_websocket(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(api_url)
    token = client.token
    await client.execute(LOGOUT, {})
    async with socket(api_url, bearer(token)) as ws:
        assert await answer(ws) == 4401


async def test_logout_closes_the_session_s_open_websockets(
    api_url: str, signed_in_client: SignedInClientFactory
) -> None:
    client = await signed_in_client(api_url)
    async with socket(api_url, bearer(client.token)) as ws:
        assert await answer(ws) == "connection_ack"
        await client.execute(LOGOUT, {})
        assert await answer(ws, timeout=5) == 4401
        assert ws.close_reason == "UNAUTHENTICATED: session revoked; sign in again"


async def test_tokens_expire_and_an_expired_websocket_is_closed(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    short = await stack("token-ttl", token_ttl_seconds=2)
    client = await signed_in_client(short)
    async with socket(client.base_url, bearer(client.token)) as ws:
        assert await answer(ws) == "connection_ack"
        assert await answer(ws, timeout=10) == 4401
        assert ws.close_reason == "UNAUTHENTICATED: token expired; sign in again"
    assert await codes_for(client, client.token) == ["UNAUTHENTICATED"]


async def test_query_limits(user: ReportsClient) -> None:
    deepest = "query { orders { edges { node { items { product { id } } } } } }"
    assert await codes_for(user, user.token, deepest) == []
    nested = "query { " + "... on Query { " * 3000 + "__typename" + " }" * 3000 + " }"
    assert await codes_for(user, user.token, nested) == ["GRAPHQL_PARSE_FAILED"]
    aliases = "query { " + " ".join(f"a{i}: me {{ id }}" for i in range(40)) + " }"
    assert await codes_for(user, user.token, aliases) == ["GRAPHQL_VALIDATION_FAILED"]
    tokens = "query { " + "me { id } " * 1500 + "}"
    codes = await codes_for(user, user.token, tokens)
    assert codes and set(codes) <= {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}
    deep_json: Any = "x"
    for _ in range(100_000):
        deep_json = [deep_json]
    response = await user._http.post(
        "/graphql",
        content=json.dumps({"query": "{ me { id } }", "variables": {"v": 1}})[:-2]
        + ":"
        + "[" * 200_000
        + "]" * 200_000
        + "}}",
        headers={"Authorization": f"Bearer {user.token}", "content-type": "application/json"},
    )
    assert response.status_code == 400


async def test_big_bodies_batches_and_odd_requests_are_refused_cleanly(
    user: ReportsClient,
) -> None:
    http = user._http
    headers = {"Authorization": f"Bearer {user.token}"}
    huge = await http.post(
        "/graphql",
        content=json.dumps({"query": "{ me { id } }", "pad": "x" * 1_100_000}),
        headers={**headers, "content-type": "application/json"},
    )
    assert huge.status_code == 413
    batch = await http.post(
        "/graphql", json=[{"query": "{ me { id } }"}, {"query": "{ me { id } }"}], headers=headers
    )
    assert batch.status_code == 400
    for content_type, body in (
        ("text/plain", b"{ me { id } }"),
        ("application/xml", b"<query/>"),
        ("application/json", b"\xff\xfe\x00"),
        ("application/json", b"[]"),
        ("application/json", b'{"query": null}'),
        ("application/json", b'"abc"'),
        ("application/json", b"123"),
        ("application/json", b"null"),
        ("application/json", b'{"query": "{ me { id } }", "n": ' + b"9" * 5000 + b"}"),
    ):
        response = await http.post(
            "/graphql", content=body, headers={**headers, "content-type": content_type}
        )
        assert response.status_code in {400, 415}, (content_type, body, response.text)
        assert "Traceback" not in response.text


# Where each text is refused (the mutation, and the field named), if anywhere: a
# text with a space makes no email address, and 100,000 characters are too many.
NO_EMAIL = {"createOrder": "customerEmail"}
TOO_LONG = {"upsertProduct": "name", "createOrder": "customerName", "requestReport": "title"}


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("名前 — ünïcödé ✓", NO_EMAIL),
        ("💥" * 50, {}),
        ("\u202etxet", {}),
        ("a" * 100_000, TOO_LONG),
        ("zero\u200bwidth", {}),
        ("🇫🇷 \U0001d54f", NO_EMAIL),
    ],
)
async def test_any_text_in_every_text_field_is_stored_or_refused_with_a_code(
    user: ReportsClient, text: str, refused: dict[str, str]
) -> None:
    async def outcome(mutation: str, document: str, variables: dict[str, Any]) -> Any:
        """The mutation's answer if it was accepted; asserts the refusal if it was not."""
        body = await user.post(document, variables)
        if mutation in refused:
            (error,) = body["errors"]
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": refused[mutation]}
            return None
        assert not body.get("errors"), body["errors"]
        return body["data"][mutation]

    product = {"sku": text[:64], "name": text, "price": "1.00", "stock": 1}
    stored = await outcome(
        "upsertProduct",
        "mutation($i: ProductInput!) { upsertProduct(input: $i) { sku name } }",
        {"i": product},
    )
    if stored is not None:
        assert stored["name"] == text.strip()
    order = {
        "customerName": text,
        "customerEmail": f"{text[:20]}@example.com",
        "items": [{"sku": text[:64], "quantity": 1}],
    }
    created = await outcome(
        "createOrder",
        "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id customerName } }",
        {"i": order},
    )
    if created is not None:
        assert created["customerName"] == text.strip()
        read = (await user.execute(ORDER, {"id": created["id"]}))["order"]
        assert read["customerName"] == text.strip()
    requested = await outcome(
        "requestReport",
        REQUEST_REPORT,
        {"input": {"kind": "SALES", "format": "CSV", "title": text}},
    )
    if requested is not None:
        assert requested["title"] == text.strip()
        read = (await user.execute(REPORT_JOB, {"id": requested["id"]}))["reportJob"]
        assert read["title"] == text.strip()


@pytest.mark.parametrize("number", [2**63, -(2**63) - 1, 10**30, 2**31])
async def test_numbers_past_64_bits_are_bad_input(user: ReportsClient, number: int) -> None:
    body = await user.post(
        "mutation($i: ProductInput!) { upsertProduct(input: $i) { id } }",
        {"i": {"sku": "BIG", "name": "Big", "price": "1.00", "stock": number}},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    literal = await user.post(f"{{ products(first: {number}) {{ totalCount }} }}")
    assert literal["errors"][0]["extensions"]["code"] in {
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
    }


async def test_rate_limits_answer_rate_limited_with_retry_after(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    limited = await stack(
        "rate-limits", rate_limit_reports=3, rate_limit_logins=2, rate_limit_websockets=2
    )
    client = await signed_in_client(limited)
    me = (await client.execute(ME))["me"]
    for _ in range(3):
        await client.execute(REQUEST_REPORT, {"input": {"kind": "SALES", "format": "CSV"}})
    with pytest.raises(GraphQLResponseError) as caught:
        await client.execute(REQUEST_REPORT, {"input": {"kind": "SALES", "format": "CSV"}})
    (error,) = caught.value.errors
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert isinstance(error["extensions"]["retryAfter"], int)
    assert 1 <= error["extensions"]["retryAfter"] <= 60

    logins = []
    for _ in range(3):
        body = await client.post(LOGIN, {"email": me["email"], "password": "wrong password"})
        logins.append(body["errors"][0]["extensions"]["code"])
    assert logins == ["UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]

    answers = []
    for _ in range(3):
        async with socket(client.base_url, bearer(client.token)) as ws:
            answers.append(await answer(ws))
    assert answers == ["connection_ack", "connection_ack", 4429]


async def test_production_refuses_the_default_secret_key() -> None:
    with pytest.raises(SettingsError):
        Settings.from_environ({"ENVIRONMENT": "production"})
    settings = Settings.from_environ({"ENVIRONMENT": "production", "SECRET_KEY": STRONG_SECRET})
    assert not settings.graphiql_enabled and not settings.introspection_enabled
    assert settings.allowed_origins == ()


@pytest.mark.parametrize(
    "timeout",
    [
        "connection_init_timeout_seconds",
        "request_header_timeout_seconds",
        "request_body_timeout_seconds",
    ],
)
def test_a_connection_timeout_of_zero_is_refused(timeout: str) -> None:
    """Zero would close every connection at once; no timeout at all is what they cure."""
    variable = ENVIRONMENT_VARIABLES[timeout]
    with pytest.raises(SettingsError, match=f"{variable} must be above 0"):
        Settings.from_environ({variable: "0"})


@pytest.mark.parametrize(
    ("fault", "value"), [("fault_transient_failures", "1"), ("fault_chunk_delay_seconds", "0.5")]
)
def test_fault_injection_is_refused_outside_development(fault: str, value: str) -> None:
    production = {"ENVIRONMENT": "production", "SECRET_KEY": STRONG_SECRET}
    injected = {ENVIRONMENT_VARIABLES[fault]: value}
    with pytest.raises(SettingsError, match=r"fault injection \(FAULT_\*\)"):
        Settings.from_environ({**production, **injected})
    assert Settings.from_environ(production).is_development is False
    for environment in ("development", "test"):
        settings = Settings.from_environ({"ENVIRONMENT": environment, **injected})
        assert getattr(settings, fault) == float(value)


async def test_production_posture(stack: StackFactory) -> None:
    production = await stack(
        "production",
        environment="production",
        secret_key=STRONG_SECRET,
        cors_origins=("https://app.example.com",),
    )
    with running_api(production) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            page = await http.get("/graphql", headers={"accept": "text/html"})
            assert page.status_code != 200 or "graphiql" not in page.text.lower()
            introspection = await http.post(
                "/graphql", json={"query": "{ __schema { types { name } } }"}
            )
            assert (
                introspection.json()["errors"][0]["extensions"]["code"]
                == "GRAPHQL_VALIDATION_FAILED"
            )
            # Nor does an error suggest the names introspection would have shown.
            misspelt = await http.post("/graphql", json={"query": "mutation { deleteRepor }"})
            (error,) = misspelt.json()["errors"]
            assert error["message"] == "Cannot query field 'deleteRepor' on type 'Mutation'."
            assert "server" not in (await http.get("/health")).headers, "no server banner"
            health = await http.get("/health")
            for header, value in (
                ("x-content-type-options", "nosniff"),
                ("x-frame-options", "DENY"),
                ("referrer-policy", "no-referrer"),
                ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
            ):
                assert health.headers[header] == value
            assert "strict-transport-security" in health.headers
            allowed = await http.options(
                "/graphql",
                headers={
                    "origin": "https://app.example.com",
                    "access-control-request-method": "POST",
                },
            )
            assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
            foreign = await http.options(
                "/graphql",
                headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
            )
            assert "access-control-allow-origin" not in foreign.headers
        with pytest.raises(websockets.InvalidStatus):
            async with socket(url, {}, origin="https://evil.example"):
                pass
        async with socket(url, {}, origin="https://app.example.com") as ws:
            assert await answer(ws) == 4401, "the origin is let in; the missing token is not"


async def test_connections_past_the_cap_are_refused_and_idle_ones_closed(
    stack: StackFactory,
) -> None:
    capped = await stack("connection-cap", max_connections=3, keep_alive_seconds=1)
    with running_api(capped) as url:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        # An idle keep-alive connection is closed after KEEP_ALIVE_SECONDS.
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert (await asyncio.wait_for(reader.readline(), 10)).startswith(b"HTTP/1.1 200")
        await asyncio.wait_for(reader.read(), 10)  # EOF: the server closed it
        writer.close()
        # Past MAX_CONNECTIONS at once, 503.
        async with contextlib.AsyncExitStack() as held:
            for _ in range(3):
                await held.enter_async_context(socket(url, None))
            async with httpx.AsyncClient() as http:
                refused = await http.get(f"{url}/health")
        assert refused.status_code == 503


async def test_slow_headers_and_bodies_are_cut_off(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    """A client that trickles its request (slowloris) is told 408 and let go; one that
    sends its request in time, or streams a subscription's answer for long, is not."""
    strict = await stack(
        "slow-requests", request_header_timeout_seconds=1, request_body_timeout_seconds=1
    )
    with running_api(strict) as url:
        host, port = url.removeprefix("http://").rsplit(":", 1)

        async def held_until_refused(*parts: bytes, pause: float = 0.0) -> bytes:
            reader, writer = await asyncio.open_connection(host, int(port))
            answer = asyncio.create_task(reader.read())
            try:
                for part in parts:
                    if answer.done():
                        break
                    writer.write(part)
                    await asyncio.sleep(pause)
                return await asyncio.wait_for(answer, 10)
            finally:
                writer.close()

        request_line = f"GET /health HTTP/1.1\r\nHost: {host}\r\n".encode()
        # Connected, and silent.
        assert (await held_until_refused()).startswith(b"HTTP/1.1 408")
        # Headers a byte every 0.2 s, for ever.
        trickled = await held_until_refused(
            request_line, *(bytes([b]) for b in b"X-Slow: " + b"y" * 30), pause=0.2
        )
        assert trickled.startswith(b"HTTP/1.1 408"), trickled
        # A request in time, then the next one on the same connection too slow.
        answered = await held_until_refused(request_line + b"\r\n" + request_line)
        assert answered.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in answered
        # A body that does not come.
        body = (
            f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Content-Length: 100\r\n\r\n{"
        ).encode()
        late = await held_until_refused(body)
        assert late.startswith(b"HTTP/1.1 408") and b"body took over 1 s" in late, late

        # A subscription over HTTP outlives the body's deadline: its body came in time.
        token = token_of(await signed_in_client(url))
        async with (
            httpx.AsyncClient(base_url=url) as http,
            http.stream(
                "POST",
                "/graphql",
                json={"query": WATCH_JOBS},
                headers={"Authorization": f"Bearer {token}", "Accept": MULTIPART_ACCEPT},
            ) as stream,
        ):
            chunks = stream.aiter_raw()
            await asyncio.wait_for(anext(chunks), timeout=5)
            await asyncio.sleep(2)
            # Strawberry's next heartbeat, 5 s after the first.
            assert await asyncio.wait_for(anext(chunks), timeout=10)


async def test_a_stranger_s_wrong_passwords_do_not_lock_the_owner_out(
    stack: StackFactory,
) -> None:
    """Guesses from many addresses fill the account's hourly allowance; the owner, signing
    in from an address it used before, is let in all the same; a new address waits."""
    limited = await stack("lockout", rate_limit_logins=2)
    per_account = 2 * EMAIL_LIMIT_FACTOR
    with running_api(limited) as url:
        async with httpx.AsyncClient(base_url=url) as http:

            async def sign_in(address: str, password: str) -> str:
                body = {"query": LOGIN, "variables": {"email": email, "password": password}}
                # uvicorn takes the client's address from a proxy on 127.0.0.1.
                answer = await http.post(
                    "/graphql", json=body, headers={"x-forwarded-for": address}
                )
                errors = answer.json().get("errors")
                return "signed in" if not errors else errors[0]["extensions"]["code"]

            async with ReportsClient(url) as owner:
                await register(owner)
                email = await confirm_email(owner, limited.secret_key)
            assert await sign_in("10.0.0.1", PASSWORD) == "signed in"
            # One address guessing: held after the per-minute limit.
            guesses = [await sign_in("10.0.0.2", "wrong password") for _ in range(3)]
            assert guesses == ["UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]
            # Many addresses guessing: the account's allowance runs out.
            for spread in range(per_account):
                await sign_in(f"10.0.1.{spread}", "wrong password")
            assert await sign_in("10.0.2.1", "wrong password") == "RATE_LIMITED"
            assert await sign_in("10.0.0.1", PASSWORD) == "signed in", "the owner is not locked out"
            assert await sign_in("10.0.2.2", PASSWORD) == "RATE_LIMITED", "a new place waits"
