"""Sending finished reports where they were asked to go: email and signed webhooks."""
