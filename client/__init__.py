"""The Python client, and the `reports` command line."""
