"""Running one end-user command: its exit code, and a one-line message for any
expected failure (never a traceback)."""

from __future__ import annotations

import argparse
import asyncio

from client.cli.exit_codes import ExitCode, UsageError, exit_code_of
from client.cli.output import Output
from client.errors import ReportsError


def run_user_command(args: argparse.Namespace) -> int:
    out = Output(json_mode=args.json)
    try:
        return int(asyncio.run(args.handler(args, out)))
    except ReportsError as exc:
        out.error(_what_to_do(exc))
        return int(exit_code_of(exc))
    except UsageError as exc:
        out.error(str(exc))
        return int(ExitCode.USAGE)
    except OSError as exc:
        # A file or folder of this machine: the download's, an import's, the config's.
        out.error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        # Ctrl-C: the shell's convention, 128 + SIGINT.
        return int(ExitCode.INTERRUPTED)


def _what_to_do(error: ReportsError) -> str:
    field = f" ({error.field})" if error.field else ""
    retry = f"; try again in {error.retry_after} s" if error.retry_after else ""
    return f"{error.message}{field}{retry}{_NEXT_STEP.get(exit_code_of(error), '')}"


_NEXT_STEP = {
    ExitCode.SIGNED_OUT: " (run `reports login`, or set REPORTS_TOKEN)",
    ExitCode.UNREACHABLE: " (is the service running? --url or REPORTS_URL names it)",
}
