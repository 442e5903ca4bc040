"""Errors Strawberry's WebSocket handlers send by themselves, given a code on their way out.

They never pass through the schema, so its ErrorPolicy does not see them: today
only the refusal of one operation too many on a connection ("Subscription limit
reached", on both protocols). Every WebSocket message leaves through the view's
`encode_json`, which hands an `error` message here first.
"""

from __future__ import annotations

from typing import Any

from schema.errors import ErrorCode

# Operations in flight on one WebSocket, subscriptions and queries alike (Strawberry
# counts both): far more than a page watching jobs needs.
MAX_OPERATIONS_PER_CONNECTION = 100
OPERATION_LIMIT_MESSAGE = (
    f"Too many operations at once on this connection (at most "
    f"{MAX_OPERATIONS_PER_CONNECTION}): complete one first, or open another connection."
)
# Strawberry 0.341's words for that refusal, on both protocols.
_STRAWBERRY_LIMIT_MESSAGE = "Subscription limit reached"


def with_codes(message: Any) -> Any:
    """The message, its errors coded if it is an `error` message whose errors have none."""
    if not isinstance(message, dict) or message.get("type") != "error":
        return message
    payload = message.get("payload")
    if isinstance(payload, list):
        return {**message, "payload": [_coded(error) for error in payload]}
    if isinstance(payload, dict):
        return {**message, "payload": _coded(payload)}
    return message


def _coded(error: Any) -> Any:
    if not isinstance(error, dict) or (error.get("extensions") or {}).get("code"):
        return error
    if error.get("message") == _STRAWBERRY_LIMIT_MESSAGE:
        return {**error, "message": OPERATION_LIMIT_MESSAGE, "extensions": _code()}
    return {**error, "extensions": {**(error.get("extensions") or {}), **_code()}}


def _code() -> dict[str, str]:
    return {"code": ErrorCode.BAD_USER_INPUT.value}
