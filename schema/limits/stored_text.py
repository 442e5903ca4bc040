"""Text PostgreSQL cannot store, refused where it comes in: NUL characters, lone surrogates.

JSON can carry both ("\\u0000", "\\ud800"), and GraphQL literals NUL; either
reached the database driver as an encoding error and a logged traceback. Every
string of a request's variables and of its document's literals is checked before
anything runs, and cursors once decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import DocumentNode, StringValueNode, Visitor, visit

from schema.errors import ApiError, ErrorCode

# NUL, and UTF-16 surrogates, which in a Python str are never paired (JSON's pairs
# are joined into one character as they are read).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "Text may not hold NUL characters or unpaired UTF-16 surrogates; {where} does."


def is_storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


def unstorable_input(where: str) -> ApiError:
    return ApiError(ErrorCode.BAD_USER_INPUT, UNSTORABLE_MESSAGE.format(where=where), field=where)


def first_unstorable_variable(variables: object) -> str | None:
    """Where in a request's variables the first unstorable string is, if anywhere: named
    as other input errors name it (`email`, or `items[0].sku` within an input object)."""
    if not isinstance(variables, dict):
        return None
    for name, value in variables.items():
        if isinstance(value, str):
            if not is_storable(value):
                return str(name)
            continue
        for where, text in _strings(value, ""):
            if not is_storable(text):
                return where or str(name)
    return None


def has_unstorable_literal(document: DocumentNode) -> bool:
    found = _Literals()
    visit(document, found)
    return found.unstorable


def _strings(value: object, path: str) -> Iterator[tuple[str, str]]:
    # Iterative: variables nest as deep as JSON allows.
    stack: list[tuple[str, object]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and not is_storable(key):
                    yield where, key
                stack.append((f"{where}.{key}" if where else str(key), child))
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", child) for index, child in enumerate(item))


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.unstorable = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> object:
        if not is_storable(node.value):
            self.unstorable = True
            return self.BREAK
        return None
