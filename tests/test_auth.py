"""Sign-up, sign-in, and that every operation but register/login needs a valid token."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import Undefined, build_schema

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.accounts import Account
from schema.root import schema
from service.processes import running_api
from tests.support.documents import LOGIN, ME, REGISTER
from tests.support.sockets import answer, socket
from tests.support.stacks import StackFactory

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


async def test_register_then_login_and_me(anonymous: ReportsClient) -> None:
    email = "Mixed.Case@Example.com"
    registered = (
        await anonymous.execute(REGISTER, {"email": email, "password": "long enough pw"})
    )["register"]
    assert registered["user"]["email"] == "mixed.case@example.com"
    stored = await Account.get(email="mixed.case@example.com")
    assert stored.password_hash.startswith("$argon2id$")
    anonymous.token = None
    logged_in = (
        await anonymous.execute(
            LOGIN, {"email": "mixed.case@example.com", "password": "long enough pw"}
        )
    )["login"]
    anonymous.token = logged_in["token"]
    assert (await anonymous.execute(ME))["me"] == registered["user"]


async def test_login_with_a_wrong_password_or_unknown_email_says_the_same(
    user: ReportsClient,
) -> None:
    me = (await user.execute(ME))["me"]
    answers = []
    for email, password in ((me["email"], "wrong password"), ("nobody@example.com", "whatever1")):
        with pytest.raises(GraphQLResponseError) as caught:
            await user.execute(LOGIN, {"email": email, "password": password})
        answers.append((caught.value.codes, str(caught.value)))
    assert answers[0] == answers[1] == (["UNAUTHENTICATED"], "Wrong email or password")


async def test_registering_an_email_twice_is_a_conflict(anonymous: ReportsClient) -> None:
    variables = {"email": "twice@example.com", "password": "long enough pw"}
    await anonymous.execute(REGISTER, variables)
    with pytest.raises(GraphQLResponseError) as caught:
        await anonymous.execute(REGISTER, {**variables, "email": "TWICE@example.com"})
    assert caught.value.codes == ["CONFLICT"]
    assert await Account.filter(email="twice@example.com").count() == 1


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
    """Trying emails to see which have accounts costs a sign-up each, a few a minute."""
    limited = await stack("sign-up-limit", rate_limit_logins=2)
    with running_api(limited) as url:
        async with ReportsClient(url) as client:
            password = "long enough pw"
            taken = {"email": "taken@example.com", "password": password}
            await client.execute(REGISTER, taken)
            with pytest.raises(GraphQLResponseError) as conflict:
                await client.execute(REGISTER, taken)
            assert conflict.value.codes == ["CONFLICT"]
            with pytest.raises(GraphQLResponseError) as limited_out:
                await client.execute(REGISTER, {"email": "new@example.com", "password": password})
    (error,) = limited_out.value.errors
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["retryAfter"] > 0
