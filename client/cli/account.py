"""`reports login` and `reports logout`."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys

from client.cli.config import credentials, forget, store
from client.cli.exit_codes import ExitCode, UsageError
from client.cli.output import Output
from client.cli.session import connected
from client.errors import Unauthenticated


async def login(args: argparse.Namespace, out: Output) -> ExitCode:
    email = args.email or _ask("Email: ")
    password = _password(args)
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
    email = args.email or _ask("Email: ")
    password = _password(args)
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
    if credentials(args.url).token is not None:
        async with connected(args) as reports:
            # A token already ended: forgetting it is all there is to do.
            with contextlib.suppress(Unauthenticated):
                await reports.logout(all_sessions=args.all)
    forget()
    if out.json_mode:
        out.document({"signedOut": True})
    else:
        out.line("Signed out.")
    return ExitCode.DONE


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("Password: ")


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise UsageError("give --email (there is no terminal to ask on)")
    return input(prompt).strip()
