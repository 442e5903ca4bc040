"""The contract's error codes, and the errors resolvers raise to produce them."""

from __future__ import annotations

from enum import StrEnum

from graphql import GraphQLError


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # GraphQL's own checks of a document, and anything unexpected (masked).
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


UNAVAILABLE_MESSAGE = "The service is temporarily unavailable; try again in a moment."


class ApiError(GraphQLError):
    """An error the client can act on: always carries `extensions.code`."""

    def __init__(self, code: ErrorCode, message: str, **extensions: object) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})


def bad_input(field: str, message: str) -> ApiError:
    return ApiError(ErrorCode.BAD_USER_INPUT, message, field=field)


def not_found(what: str) -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, f"{what} not found")


def conflict(message: str) -> ApiError:
    return ApiError(ErrorCode.CONFLICT, message)


def unauthenticated(message: str = "Sign in first: send Authorization: Bearer <token>") -> ApiError:
    return ApiError(ErrorCode.UNAUTHENTICATED, message)
