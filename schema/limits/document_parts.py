"""A document's operations and fragments, and a value per fragment worked out once.

Measuring a document through its fragment spreads walks each spread anew unless
what a fragment amounts to is remembered: eight fragments each spreading the
next eight times is 8^7 walks, and 531 bytes held the API for seconds. Every
measure of a document (document_shape.py, document_cost.py) goes through here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

T = TypeVar("T")


class DocumentParts(Generic[T]):
    def __init__(self, document: DocumentNode) -> None:
        self.operations = [
            definition
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        self._fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self._known: dict[str, T] = {}
        # Fragments being worked out: a spread of one of them is a cycle, which
        # graphql-core's validation refuses; here it counts as `unknown`.
        self._working: set[str] = set()

    def fragment(self, name: str, work: Callable[[SelectionSetNode], T], unknown: T) -> T:
        """`work` of the fragment's selections, the first time; what it gave, after.
        `unknown` for a fragment the document lacks, or one spread inside itself."""
        if name in self._known:
            return self._known[name]
        definition = self._fragments.get(name)
        if definition is None or name in self._working:
            return unknown
        self._working.add(name)
        try:
            value = work(definition.selection_set)
        finally:
            self._working.discard(name)
        self._known[name] = value
        return value
