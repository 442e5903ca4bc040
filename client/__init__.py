"""The client side: what talks to a running service over HTTP and WebSocket.

Imports nothing of the server (schema, models, workers, service, app), so it
could be published as a package of its own; import-linter holds it to that.
"""
