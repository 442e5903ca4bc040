"""`reports login` and `reports logout`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import sys

from client.cli.config import credentials, forget, store, stored_credentials
from client.cli.exit_codes import ExitCode, UsageError
from client.cli.output import Output
from client.cli.session import connected
from client.errors import Unauthenticated


async def login(args: argparse.Namespace, out: Output) -> ExitCode:
    email = args.email or await _ask("Email: ")
    password = await _password(args)
    async with connected(args, signed_in=False) as reports:
        try:
            token = await reports.sign_in(email, password)
        except Unauthenticated as exc:
            raise Unauthenticated(
                f"{exc.message} (a new account signs in once its address is confirmed: "
                "open the link mailed to it)"
            ) from exc
        path = store(reports.base_url, token)
    if out.json_mode:
        out.document({"url": reports.base_url, "email": email, "config": str(path)})
    else:
        out.line(f"Signed in to {reports.base_url} as {email}.")
    return ExitCode.DONE


async def signup(args: argparse.Namespace, out: Output) -> ExitCode:
    email = args.email or await _ask("Email: ")
    password = await _password(args)
    async with connected(args, signed_in=False) as reports:
        token = (await reports.register(email, password)).sign_up.token
        reports.token = token
        path = store(reports.base_url, token)
    if out.json_mode:
        out.document({"url": reports.base_url, "email": email, "config": str(path)})
    else:
        out.line(
            f"Signed up to {reports.base_url} as {email}, and signed in. To sign in again "
            "later, open the link mailed to that address and enter this password there."
        )
    return ExitCode.DONE


async def logout(args: argparse.Namespace, out: Output) -> ExitCode:
    found = credentials(args.url)
    stored = stored_credentials()
    if found.token is not None:
        async with connected(args) as reports:
            # A token already ended: forgetting it is all there is to do.
            with contextlib.suppress(Unauthenticated):
                await reports.logout(all_sessions=args.all)
    # The stored token is forgotten only if it is the one just revoked.
    if stored is not None and stored == found:
        forget()
    if out.json_mode:
        out.document({"signedOut": True})
    else:
        out.line("Signed out.")
    return ExitCode.DONE


async def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise UsageError("give --password-stdin (there is no terminal to ask on)")
    # In a thread: Ctrl-C at the prompt then stops the command at once.
    password: str = await asyncio.to_thread(getpass.getpass, "Password: ", sys.stderr)
    return password


async def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise UsageError("give --email (there is no terminal to ask on)")
    # On stderr: stdout carries only what the command answers (JSON with --json).
    print(prompt, end="", file=sys.stderr, flush=True)
    line: str = await asyncio.to_thread(sys.stdin.readline)
    return line.strip()
