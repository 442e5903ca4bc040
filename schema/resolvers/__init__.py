"""Queries, mutations and subscriptions, one module per feature; root.py joins them."""
