"""A command's connection to the service: the URL and token it runs with."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator

from client.cli.config import credentials
from client.errors import Unauthenticated
from client.reports import Reports


@contextlib.asynccontextmanager
async def connected(args: argparse.Namespace, *, signed_in: bool = True) -> AsyncIterator[Reports]:
    """The service the arguments name, as the signed-in account (unless `signed_in`
    is False: for login)."""
    found = credentials(args.url)
    if signed_in and found.token is None:
        raise Unauthenticated(f"not signed in to {found.url}")
    async with Reports(found.url, found.token) as reports:
        yield reports
