"""The one schema joining every feature's queries, mutations and subscriptions."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)

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


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    rules = [] if introspection else [lambda: AddValidationRules([NoSchemaIntrospectionCustomRule])]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={Decimal: DecimalScalar},
        # Factories, so that each operation gets fresh extension state.
        extensions=[
            lambda: QueryDepthLimiter(max_depth=12),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            lambda: MaxTokensLimiter(max_token_count=2_000),
            *rules,
            ErrorPolicy,
        ],
    )


# The full schema, for `reports schema` and tooling; the app builds its own from settings.
schema = build_schema()
