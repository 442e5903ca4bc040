"""How big a document is, measured in time linear in its size: depth, aliases, fragment spreads.

Strawberry's depth and alias limiters walk every fragment spread anew, so a few
fragments that each spread the next several times cost exponential time: eight
fragments spreading the next eight times, 531 bytes sent without a token, held
the API for 11 s. Here each fragment's depth is measured once and remembered,
aliases and spreads are counted where they are written, and the spreads are
capped, so the work is a fixed multiple of the document's size (`visits`).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    Visitor,
    visit,
)

from schema.limits.document_parts import DocumentParts

# Selections nested in selections, fields or not: past this, a document is refused
# as too deep whatever its fields (inline fragments nest without adding depth), and
# the walk below never recurses further.
MAX_NESTING = 32


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    # Nested fields with selections, on the longest path; introspection (__) fields
    # are not counted, as Strawberry's limiter did not count them.
    max_depth: int
    # Aliased fields, as written in the document.
    max_aliases: int
    # Fragment spreads, as written in the document.
    max_fragment_spreads: int
    # Fields an answer may hold, estimated before anything runs (document_cost.py).
    max_cost: int

    def refusal(self, shape: DocumentShape) -> str | None:
        """Why a document of this shape is refused, naming the limit; None if it is not."""
        if shape.fragment_spreads > self.max_fragment_spreads:
            return (
                f"Too many fragment spreads: {shape.fragment_spreads}; "
                f"a document may have at most {self.max_fragment_spreads}."
            )
        if shape.aliases > self.max_aliases:
            return (
                f"Too many aliases: {shape.aliases}; "
                f"a document may have at most {self.max_aliases}."
            )
        if shape.depth > self.max_depth:
            return f"Too deep: a query may nest at most {self.max_depth} levels of fields."
        return None


@dataclass(slots=True)
class DocumentShape:
    fragment_spreads: int = 0
    aliases: int = 0
    # Counted up to the limit plus one: enough to refuse, and no further walk.
    depth: int = 0
    # Selections looked at, over both passes: what the measuring cost.
    visits: int = 0


class _Counts(Visitor):
    def __init__(self, shape: DocumentShape) -> None:
        super().__init__()
        self.shape = shape

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.shape.visits += 1
        if node.alias is not None:
            self.shape.aliases += 1

    def enter_fragment_spread(self, *_: object) -> None:
        self.shape.visits += 1
        self.shape.fragment_spreads += 1

    def enter_inline_fragment(self, *_: object) -> None:
        self.shape.visits += 1


def shape_of(document: DocumentNode, limits: DocumentLimits) -> DocumentShape:
    """The document's shape; its spreads and aliases counted first (graphql-core's
    visit walks without recursion), its depth only if those are within the limits."""
    shape = DocumentShape()
    visit(document, _Counts(shape))
    if limits.refusal(shape) is None:
        shape.depth = _Depth(document, shape, limits.max_depth + 1).deepest()
    return shape


class _Depth:
    """The depth of each operation, each fragment measured once."""

    def __init__(self, document: DocumentNode, shape: DocumentShape, cap: int) -> None:
        self._shape = shape
        self._cap = cap
        self._parts: DocumentParts[int] = DocumentParts(document)

    def deepest(self) -> int:
        depths = (self._of(operation.selection_set, 0) for operation in self._parts.operations)
        return max(depths, default=0)

    def _of(self, selections: SelectionSetNode, nesting: int) -> int:
        if nesting > MAX_NESTING:
            return self._cap
        deepest = 0
        for selection in selections.selections:
            self._shape.visits += 1
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                depth = 1 + self._of(selection.selection_set, nesting + 1)
            elif isinstance(selection, InlineFragmentNode):
                depth = self._of(selection.selection_set, nesting + 1)
            elif isinstance(selection, FragmentSpreadNode):
                depth = self._parts.fragment(
                    selection.name.value, lambda body: self._of(body, nesting + 1), 0
                )
            else:
                continue
            deepest = max(deepest, depth)
            if deepest >= self._cap:
                return self._cap
        return deepest
