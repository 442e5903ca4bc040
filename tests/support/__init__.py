"""Helpers the tests share: data, waits, streams, files and throwaway servers (fixtures are in
tests/conftest.py)."""
