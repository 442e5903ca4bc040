"""The one schema joining every feature's queries, mutations and subscriptions."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from decimal import Decimal

import strawberry
from graphql import ASTValidationRule, DocumentNode, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from schema.accounts import AccountMutation, AccountQuery
from schema.error_policy import ErrorPolicy
from schema.orders import OrderMutation, OrderQuery
from schema.parsed_documents import ParsedDocuments
from schema.products import ProductMutation, ProductQuery
from schema.report_jobs import ReportJobMutation, ReportJobQuery
from schema.report_stats import ReportStatsQuery
from schema.scalars import DecimalScalar
from schema.shared_events import SharedEventExecutionContext
from schema.subscriptions import Subscription


@strawberry.type
class Query(AccountQuery, ProductQuery, OrderQuery, ReportJobQuery, ReportStatsQuery):
    pass


@strawberry.type
class Mutation(AccountMutation, ProductMutation, OrderMutation, ReportJobMutation):
    pass


# The deepest query the schema allows today is 6 levels (orders.edges.node.items
# .product.id); the limit leaves room and stops recursion through future types.
MAX_QUERY_DEPTH = 8
# Query texts remembered as valid, per schema; longer texts are validated every time.
REMEMBERED_DOCUMENTS = 256
REMEMBERED_TEXT_LENGTH = 20_000


class ValidDocuments(SchemaExtension):
    """Skips validating a query text that this schema has already found valid.

    Validation depends only on the document and the schema's rules, and it costs
    more than running a small operation (a quarter of the CPU of reportJobs or
    createOrder). Only valid texts are remembered: a document with errors is
    validated and reported afresh every time, and bad documents, however many,
    cannot push the good ones out. Strawberry's ValidationCache would not do here:
    it keys on the rule classes too, and ours are built per request.
    """

    def __init__(self, valid: OrderedDict[str, None]) -> None:
        self.valid = valid

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is None or len(query) > REMEMBERED_TEXT_LENGTH:
            yield
            return
        if query in self.valid:
            self.valid.move_to_end(query)
            # Strawberry validates only while this is None.
            context.pre_execution_errors = []
            yield
            return
        yield
        if context.pre_execution_errors == []:
            self.valid[query] = None
            if len(self.valid) > REMEMBERED_DOCUMENTS:
                self.valid.popitem(last=False)


class ReportsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """ErrorPolicy logs what deserves it; a client's bad input is not a server event."""


def build_schema(*, introspection: bool = True) -> ReportsSchema:
    # The limiters' rule classes, built once: they keep no state between documents.
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=30).validation_rules,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    valid: OrderedDict[str, None] = OrderedDict()
    documents: OrderedDict[str, DocumentNode] = OrderedDict()
    return ReportsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={Decimal: DecimalScalar},
        execution_context_class=SharedEventExecutionContext,
        # Factories, so that each operation gets fresh extension state.
        extensions=[
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=2_000),
            lambda: ParsedDocuments(documents),
            lambda: ValidDocuments(valid),
            ErrorPolicy,
        ],
    )


# The full schema, for `reports schema` and tooling; the app builds its own from settings.
schema = build_schema()
