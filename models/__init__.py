"""Persistent state shared by the API and the workers: models, settings, events."""
