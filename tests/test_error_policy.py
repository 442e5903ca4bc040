"""The error policy codes every error by where it came from, and masks what is not the client's."""

from __future__ import annotations

import asyncpg
import pytest
from graphql import GraphQLError, GraphQLSyntaxError, Source, parse

from schema.error_policy import INTERNAL_MESSAGE, classify
from schema.errors import UNAVAILABLE_MESSAGE, ErrorCode

LEAKY = "could not connect to server at 10.0.3.7:5432 (user reports_rw)"


def code_of(error: GraphQLError) -> str:
    code: str = (error.extensions or {})["code"]
    return code


def test_an_exception_raised_in_a_stream_is_masked_not_blamed_on_the_client() -> None:
    # What Strawberry makes of an exception from a subscription's stream: no path, no nodes.
    raised = GraphQLError(LEAKY, original_error=RuntimeError(LEAKY))
    coded = classify(raised)
    assert (code_of(coded), coded.message) == (ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)


def test_a_lost_connection_in_a_stream_is_service_unavailable() -> None:
    lost = asyncpg.exceptions.CannotConnectNowError(LEAKY)
    coded = classify(GraphQLError(LEAKY, original_error=lost))
    assert (code_of(coded), coded.message) == (ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)


def test_a_literal_the_scalar_refused_is_bad_input() -> None:
    document = parse('mutation { upsertProduct(input: {price: "abc"}) { id } }')
    literal = GraphQLError(
        "Expected value of type 'Decimal!', found \"abc\"",
        nodes=[document.definitions[0]],
        original_error=ValueError("'abc' is not a decimal number"),
    )
    assert code_of(classify(literal)) == ErrorCode.BAD_USER_INPUT


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (
            GraphQLSyntaxError(Source("{ me "), 5, "Expected Name, found <EOF>."),
            ErrorCode.GRAPHQL_PARSE_FAILED,
        ),
        (
            GraphQLError("Cannot query field 'nope' on type 'Query'."),
            ErrorCode.GRAPHQL_VALIDATION_FAILED,
        ),
    ],
)
def test_the_document_s_own_errors_keep_their_graphql_codes(
    error: GraphQLError, code: ErrorCode
) -> None:
    assert code_of(classify(error)) == code


def test_suggestions_are_left_out_where_introspection_is_off() -> None:
    misspelt = GraphQLError(
        "Cannot query field 'deleteRepor' on type 'Mutation'. Did you mean 'deleteReport'?"
    )
    shown = classify(misspelt)
    hidden = classify(misspelt, suggestions=False)
    assert shown.message.endswith("Did you mean 'deleteReport'?")
    assert hidden.message == "Cannot query field 'deleteRepor' on type 'Mutation'."
    enum = GraphQLError(
        "Variable '$input' got invalid value 'CVS' at 'input.format'; Value 'CVS' does not "
        "exist in 'ReportFormat' enum. Did you mean the enum value 'CSV'?"
    )
    assert "Did you mean" not in classify(enum, suggestions=False).message
    assert code_of(classify(enum, suggestions=False)) == ErrorCode.BAD_USER_INPUT
