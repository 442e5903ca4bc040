"""Sign-up, sign-in, and that every operation but register/login needs a valid token."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from graphql import Undefined, build_schema

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.accounts import Account, pending_placeholder
from models.settings import Settings
from models.sign_up_links import confirmation_path
from schema.resolvers.accounts import WRONG_CREDENTIALS
from schema.root import schema
from service.processes import running_api, running_worker
from tests.support.clients import PASSWORD, confirm_email, register
from tests.support.documents import LOGIN, ME, REGISTER
from tests.support.factories import add_product, completed_order
from tests.support.receivers import outbox
from tests.support.sockets import answer, socket
from tests.support.stacks import StackFactory
from tests.support.waiting import eventually

OPEN_FIELDS = {"register", "login"}


def required_arguments(field: Any) -> str:
    """Placeholder values for a root field's required arguments (they are never used)."""
    values = {
        "ID!": '"00000000-0000-0000-0000-000000000000"',
        "String!": '"x"',
        "ProductInput!": '{sku: "x", name: "x", price: "1"}',
        "CreateOrderInput!": '{customerName: "x", customerEmail: "x@y.z", items: []}',
        "RequestReportInput!": "{kind: ORDERS, format: CSV}",
        "ReportScheduleInput!": '{name: "x", kind: ORDERS, format: CSV, cron: "0 7 * * *"}',
        "Boolean!": "true",
    }
    args = [
        f"{name}: {values[str(arg.type)]}"
        for name, arg in field.args.items()
        # A default read from SDL is `default` in graphql-core 3.3, a value `default_value`.
        if str(arg.type).endswith("!") and arg.default is None and arg.default_value is Undefined
    ]
    return f"({', '.join(args)})" if args else ""


def root_operations() -> list[tuple[str, str]]:
    graphql_schema = build_schema(schema.as_str())
    operations = []
    for keyword, root in (
        ("query", graphql_schema.query_type),
        ("mutation", graphql_schema.mutation_type),
    ):
        assert root is not None
        for name, field in root.fields.items():
            if name in OPEN_FIELDS:
                continue
            selection = (
                " { __typename }"
                if not str(field.type).startswith(("Boolean", "Int", "String"))
                else ""
            )
            operations.append(
                (name, f"{keyword} {{ {name}{required_arguments(field)}{selection} }}")
            )
    return operations


@pytest.mark.parametrize(("name", "document"), root_operations())
async def test_every_operation_needs_a_token(
    anonymous: ReportsClient, name: str, document: str
) -> None:
    for token in (None, "not-a-token", "eyJhIjoiMSJ9.forged.signature"):
        anonymous.token = token
        body = await anonymous.post(document)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", (name, body)


async def test_register_confirm_then_login_and_me(
    anonymous: ReportsClient, settings: Settings
) -> None:
    email = f"Mixed.Case.{uuid4().hex[:8]}@Example.com"
    registered = (
        await anonymous.execute(REGISTER, {"email": email, "password": "long enough pw"})
    )["register"]
    assert registered["user"]["email"] == email.lower()
    anonymous.token = registered["token"]
    assert (await anonymous.execute(ME))["me"] == registered["user"], "usable at once"
    sign_in = {"email": email.lower(), "password": "long enough pw"}
    with pytest.raises(GraphQLResponseError) as caught:
        await anonymous.execute(LOGIN, sign_in)
    assert str(caught.value) == WRONG_CREDENTIALS, "not before the address is confirmed"
    assert await confirm_email(anonymous, settings.secret_key, "long enough pw") == email.lower()
    stored = await Account.get(email=email.lower())
    assert stored.password_hash.startswith("$argon2id$") and stored.pending_email is None
    anonymous.token = None
    logged_in = (await anonymous.execute(LOGIN, sign_in))["login"]
    anonymous.token = logged_in["token"]
    assert (await anonymous.execute(ME))["me"] == registered["user"]


async def test_login_with_a_wrong_password_or_unknown_email_says_the_same(
    user: ReportsClient, settings: Settings
) -> None:
    email = await confirm_email(user, settings.secret_key)
    answers = []
    for address, password in ((email, "wrong password"), ("nobody@example.com", "whatever1")):
        with pytest.raises(GraphQLResponseError) as caught:
            await user.execute(LOGIN, {"email": address, "password": password})
        answers.append((caught.value.codes, str(caught.value)))
    assert answers[0] == answers[1] == (["UNAUTHENTICATED"], WRONG_CREDENTIALS)


@pytest.mark.usefixtures("worker")
async def test_register_answers_the_same_for_a_taken_address_and_tells_its_owner(
    anonymous: ReportsClient, settings: Settings
) -> None:
    """Nothing in register's answer tells a taken address from a free one: both are a
    new, empty account's token; the owner of the taken one is told by email, and the
    stranger's password signs in to nothing."""
    owner_address = f"owner-{uuid4().hex[:8]}@example.com"
    free_address = f"free-{uuid4().hex[:8]}@example.com"
    anonymous.token = None
    signed_up = await anonymous.execute(
        REGISTER, {"email": owner_address, "password": "owner's password"}
    )
    anonymous.token = signed_up["register"]["token"]
    await confirm_email(anonymous, settings.secret_key, "owner's password")
    answers = {}
    for address in (owner_address, free_address):
        anonymous.token = None
        started = time.perf_counter()
        answer = (
            await anonymous.execute(REGISTER, {"email": address, "password": "stranger's pw"})
        )["register"]
        answers[address] = (answer, time.perf_counter() - started)
        anonymous.token = answer["token"]
        assert (await anonymous.execute("{ reportJobs { totalCount } }"))["reportJobs"] == {
            "totalCount": 0
        }, "a new, empty account either way"
    (taken, taken_took), (free, free_took) = answers[owner_address], answers[free_address]
    assert set(taken) == set(free) == {"token", "user"}
    assert (taken["user"]["email"], free["user"]["email"]) == (owner_address, free_address)
    print(f"register: taken address {taken_took * 1000:.0f} ms, free {free_took * 1000:.0f} ms")
    anonymous.token = None
    with pytest.raises(GraphQLResponseError) as caught:
        await anonymous.execute(LOGIN, {"email": owner_address, "password": "stranger's pw"})
    assert str(caught.value) == WRONG_CREDENTIALS
    owner = (
        await anonymous.execute(LOGIN, {"email": owner_address, "password": "owner's password"})
    )["login"]
    assert owner["user"]["id"] != taken["user"]["id"], "the owner's account is untouched"

    mail = await eventually(
        lambda: outbox(settings.outbox_dir, {owner_address, free_address}),
        lambda found: len(found) == 3,
        what="the confirmations and the owner's notice in the outbox",
    )
    subjects = sorted((message["To"], message["Subject"]) for message in mail)
    assert subjects == sorted(
        [
            (owner_address, "Confirm your email for Reports"),
            (owner_address, "Someone tried to sign up with your email"),
            (free_address, "Confirm your email for Reports"),
        ]
    )


async def test_a_confirmation_link_needs_the_sign_up_s_password(
    anonymous: ReportsClient, settings: Settings
) -> None:
    """Opening the link confirms nothing (mail scanners open links, and someone else may
    have signed up with your address); the password that sign-up was made with does."""
    await register(anonymous)
    me = (await anonymous.execute(ME))["me"]
    link = confirmation_path(settings.secret_key, UUID(me["id"]), me["email"], 3600)
    assert (await anonymous.download(link[:-3] + "xyz")).status_code == 400, "tampered"
    expired = confirmation_path(settings.secret_key, UUID(me["id"]), me["email"], -1)
    assert (await anonymous.confirm_sign_up(expired, PASSWORD)).status_code == 400
    for _ in range(2):
        opened = await anonymous.download(link)
        assert opened.status_code == 200 and 'name="password"' in opened.text
    assert opened.headers["content-security-policy"].startswith("default-src 'none'")
    wrong = await anonymous.confirm_sign_up(link, "someone else's password")
    assert wrong.status_code == 403
    assert await Account.filter(id=me["id"], pending_email=me["email"]).exists(), "pending"
    assert (await anonymous.confirm_sign_up(link, PASSWORD)).status_code == 200
    again = await anonymous.download(link)
    assert again.status_code == 200 and "is confirmed" in again.text
    # A second sign-up of the same address cannot take it over once confirmed.
    other = await anonymous.execute(REGISTER, {"email": me["email"], "password": PASSWORD})
    later = confirmation_path(
        settings.secret_key, UUID(other["register"]["user"]["id"]), me["email"], 3600
    )
    taken = await anonymous.confirm_sign_up(later, PASSWORD)
    assert taken.status_code == 409 and "confirmed by another sign-up" in taken.text


@pytest.mark.parametrize(
    "init_payload", [{}, {"Authorization": "Bearer nope"}, {"authorization": ""}]
)
async def test_websocket_without_a_valid_token_is_refused(
    api_url: str, init_payload: dict[str, str]
) -> None:
    async with socket(api_url, init_payload) as ws:
        assert await answer(ws) == 4401


async def test_websocket_accepts_lower_case_authorization_key(
    api_url: str, user: ReportsClient
) -> None:
    async with socket(api_url, {"authorization": f"Bearer {user.token}"}) as ws:
        assert await answer(ws) == "connection_ack"


async def test_sign_ups_are_rate_limited_per_address(stack: StackFactory) -> None:
    """Sign-ups cost a few a minute per client address."""
    limited = await stack("sign-up-limit", rate_limit_logins=2)
    with running_api(limited) as url:
        async with ReportsClient(url) as client:
            password = "long enough pw"
            for address in ("one@example.com", "one@example.com"):
                await client.execute(REGISTER, {"email": address, "password": password})
            with pytest.raises(GraphQLResponseError) as limited_out:
                await client.execute(REGISTER, {"email": "new@example.com", "password": password})
    (error,) = limited_out.value.errors
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["retryAfter"] > 0


async def test_the_sweep_mails_sign_ups_left_unmailed_and_deletes_stale_ones(
    stack: StackFactory,
) -> None:
    """A sign-up whose email was never enqueued (Redis away at that moment) is mailed by a
    worker's sweep; one left unconfirmed past a week is deleted, with its orders."""
    lab = await stack("sign-up-sweep", cleanup_interval_seconds=0.5, sweep_interval_seconds=0.5)
    unmailed = uuid4()
    database = await asyncpg.connect(lab.database_url)
    try:
        with running_api(lab) as url:
            async with ReportsClient(url) as stale:
                stale_id = (await register(stale))["user"]["id"]
                await add_product(stale, "S-1", "Stale", "1.00")
                await completed_order(stale, "Sam", "sam@example.com", [("S-1", 2)])
        await database.execute(
            "UPDATE account SET created_at = $2 WHERE id = $1",
            UUID(stale_id),
            datetime.now(UTC) - timedelta(days=8),
        )
        await database.execute(
            "INSERT INTO account (id, email, pending_email, password_hash, created_at) "
            "VALUES ($1, $2, $3, 'x', $4)",
            unmailed,
            pending_placeholder(unmailed),
            f"{unmailed.hex[:8]}@example.com",
            datetime.now(UTC) - timedelta(minutes=1),
        )
        with running_worker(lab):
            await eventually(
                lambda: outbox(lab.outbox_dir, {f"{unmailed.hex[:8]}@example.com"}),
                bool,
                what="the sweep to mail the unmailed sign-up",
            )
            await eventually(
                lambda: database.fetchval(
                    "SELECT count(*) FROM account WHERE id = $1", UUID(stale_id)
                ),
                lambda count: count == 0,
                what="the stale sign-up deleted",
            )
        mailed = await database.fetchval(
            "SELECT sign_up_mailed_at FROM account WHERE id = $1", unmailed
        )
        orders_left = await database.fetchval("SELECT count(*) FROM customer_order")
    finally:
        await database.close()
    assert mailed is not None and orders_left == 0
    [message] = outbox(lab.outbox_dir, {f"{unmailed.hex[:8]}@example.com"})
    assert message["Subject"] == "Confirm your email for Reports"
