"""The one schema joining every feature's queries, mutations and subscriptions."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.types import ExecutionContext

from schema.accounts import AccountMutation, AccountQuery
from schema.error_policy import ErrorPolicy
from schema.orders import OrderMutation, OrderQuery
from schema.products import ProductMutation, ProductQuery
from schema.report_jobs import ReportJobMutation, ReportJobQuery
from schema.report_stats import ReportStatsQuery
from schema.scalars import DecimalScalar
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


class ReportsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """ErrorPolicy logs what deserves it; a client's bad input is not a server event."""


def build_schema(*, introspection: bool = True) -> ReportsSchema:
    rules = [] if introspection else [lambda: AddValidationRules([NoSchemaIntrospectionCustomRule])]
    return ReportsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={Decimal: DecimalScalar},
        # Factories, so that each operation gets fresh extension state.
        extensions=[
            lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            lambda: MaxTokensLimiter(max_token_count=2_000),
            *rules,
            ErrorPolicy,
        ],
    )


# The full schema, for `reports schema` and tooling; the app builds its own from settings.
schema = build_schema()
