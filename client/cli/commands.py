"""The end-user subcommands of `reports`, declared: their arguments and handlers."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from client.cli import account, imports, jobs, schedules
from client.cli.exit_codes import ExitCode
from client.cli.output import Output
from client.generated.enums import JobStatus, Priority, ReportFormat, ReportKind

Handler = Callable[[argparse.Namespace, Output], Awaitable[ExitCode]]
AddCommand = Callable[..., argparse.ArgumentParser]

CONNECTION_HELP = (
    "The service and token: --url, else REPORTS_URL, else what `reports login` stored;\n"
    "REPORTS_TOKEN overrides the stored token.\n"
    "Exit codes: 0 done; 1 the job FAILED or was CANCELLED; 2 a usage error or input the\n"
    "service refused; 3 not signed in or token refused; 4 the service unreachable;\n"
    "5 rate limited."
)


def add_user_commands(add: AddCommand) -> None:
    """Declare each end-user command through `add(name, summary, description)`, which
    returns its parser."""

    def command(name: str, summary: str, handler: Handler, description: str = "") -> Any:
        parser = add(name, summary, f"{description or summary}\n\n{CONNECTION_HELP}")
        parser.add_argument("--url", help="the service's base URL")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
        parser.set_defaults(handler=handler)
        return parser

    login = command("login", "sign in and keep the token", account.login)
    login.add_argument("--email")
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    signup = command("signup", "make an account, and sign in to it at once", account.signup)
    signup.add_argument("--email")
    signup.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    logout = command("logout", "revoke the token and forget it", account.logout)
    logout.add_argument("--all", action="store_true", help="every session of the account")

    request = command(
        "request",
        "ask for a report; print its id, or watch it and download the file",
        jobs.request,
    )
    request.add_argument("kind", type=str.upper, choices=[k.value for k in ReportKind])
    request.add_argument("format", type=str.upper, choices=[f.value for f in ReportFormat])
    request.add_argument("--title")
    request.add_argument("--from", dest="date_from", type=jobs.parse_date, metavar="DATE")
    request.add_argument("--to", dest="date_to", type=jobs.parse_date, metavar="DATE")
    request.add_argument(
        "--priority", type=str.upper, choices=[p.value for p in Priority], default="NORMAL"
    )
    request.add_argument("--run-at", type=jobs.parse_when, metavar="WHEN")
    request.add_argument("--watch", action="store_true", help="follow it, then download it")
    request.add_argument("--output", type=Path, default=Path("."), metavar="DIR")

    listing = command("jobs", "list report jobs, newest first", jobs.list_jobs)
    listing.add_argument("--status", type=str.upper, choices=[s.value for s in JobStatus])
    listing.add_argument("--kind", type=str.upper, choices=[k.value for k in ReportKind])
    listing.add_argument("--limit", type=int, default=20)

    command("watch", "every change to any of your jobs, live, until Ctrl-C", jobs.watch_all)
    for name, summary, handler in (
        ("show", "one job in full", jobs.show),
        ("cancel", "cancel a PENDING or RUNNING job", jobs.cancel),
        ("retry", "retry a FAILED or CANCELLED job", jobs.retry),
        ("regenerate", "a new job with the same parameters", jobs.regenerate),
        ("delete", "delete a job and its file", jobs.delete),
    ):
        command(name, summary, handler).add_argument("id")
    fetch = command("download", "save a COMPLETED job's file", jobs.download)
    fetch.add_argument("id")
    fetch.add_argument("--output", type=Path, default=Path("."), metavar="DIR")
    follow = command("follow", "watch one job, then download it", jobs.watch_one)
    follow.add_argument("id")
    follow.add_argument("--output", type=Path, default=Path("."), metavar="DIR")

    imports.declare_import(
        command(
            "import",
            "import products or orders from a CSV file",
            imports.import_file,
            imports.IMPORT_DESCRIPTION,
        )
    )
    imports.declare_export(
        command("export", "print the orders as CSV", imports.export, imports.EXPORT_DESCRIPTION)
    )
    schedules.declare(
        command(
            "schedules",
            "list, create, enable, disable, run or delete report schedules",
            schedules.run_action,
            schedules.DESCRIPTION,
        )
    )
