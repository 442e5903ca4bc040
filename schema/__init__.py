"""The GraphQL API: types, queries, mutations, subscriptions, errors and auth context."""
