"""Every error leaves with an `extensions.code`; nothing internal leaves at all.

- Our own errors (ApiError) pass unchanged.
- GraphQL's checks of the document get GRAPHQL_PARSE_FAILED or
  GRAPHQL_VALIDATION_FAILED; a variable or literal of the wrong shape is
  BAD_USER_INPUT (with the offending input field where it is known).
- A lost database or Redis connection is SERVICE_UNAVAILABLE.
- Anything else is a bug: it is logged with its stack here, and the client
  gets a generic message instead of its text, stack or SQL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult, StreamExecutionResult

from models.failures import is_connection_failure
from schema.errors import UNAVAILABLE_MESSAGE, ErrorCode

logger = logging.getLogger(__name__)

# graphql-core: "Variable '$input' has invalid value at .items[0].sku: Expected ..."
_VARIABLE_ERROR = re.compile(
    r"^Variable '\$(?P<variable>\w+)' (?:has|got) invalid value(?: at \.(?P<path>[^:\s]+))?"
)

INTERNAL_MESSAGE = "Internal error."
# graphql-core's hints ("Did you mean 'deleteReport'?"): they name the schema's
# fields, types and enum values, which introspection, when it is off, would not.
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")
# Strawberry's refusals of an operation the transport cannot run (a query on the legacy
# WebSocket protocol, an operation name the document lacks): the document's fault.
_OPERATIONS_REFUSED = (CannotGetOperationTypeError, InvalidOperationTypeError)


def _with_code(error: GraphQLError, message: str, code: ErrorCode, **extra: object) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code.value, **extra},
    )


def classify(error: GraphQLError, *, suggestions: bool = True) -> GraphQLError:
    """The error with its code; without graphql-core's suggestions unless `suggestions`."""
    if (error.extensions or {}).get("code"):
        return error
    message = error.message if suggestions else _SUGGESTION.sub("", error.message)
    variable = _VARIABLE_ERROR.match(error.message)
    if variable:
        field = variable["path"] or variable["variable"]
        return _with_code(error, message, ErrorCode.BAD_USER_INPUT, field=field)
    original = error.original_error
    # Before anything ran, an error has no path. One raised while a subscription's
    # stream ran has none either, but neither does it point into the document: that
    # one is a failure of ours (or of a connection), never the client's.
    if error.path is None:
        if error.message.startswith("Syntax Error"):
            return _with_code(error, message, ErrorCode.GRAPHQL_PARSE_FAILED)
        if original is None or isinstance(original, _OPERATIONS_REFUSED):
            return _with_code(error, message, ErrorCode.GRAPHQL_VALIDATION_FAILED)
        if error.nodes:
            # A literal our scalar could not parse (e.g. price: "abc").
            return _with_code(error, message, ErrorCode.BAD_USER_INPUT)
    if original is not None and is_connection_failure(original):
        logger.warning("%s at %s: %s", UNAVAILABLE_MESSAGE, error.path, original)
        return _with_code(error, UNAVAILABLE_MESSAGE, ErrorCode.SERVICE_UNAVAILABLE)
    logger.error("unexpected error at %s: %s", error.path, error.message, exc_info=original)
    return _with_code(error, INTERNAL_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR)


class ErrorPolicy(SchemaExtension):
    def __init__(self, *, suggestions: bool = True) -> None:
        self.suggestions = suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [classify(error, suggestions=self.suggestions) for error in errors]

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # A stream's results (a subscription's, over a WebSocket or in a multipart
        # part) leave one by one, before on_operation ends: the errors found in the
        # document before anything ran, and those of each event, are coded here.
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = [
                classify(error, suggestions=self.suggestions) for error in result.errors
            ]
        yield
