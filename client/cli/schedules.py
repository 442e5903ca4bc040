"""`reports schedules list|create|enable|disable|run|delete`: report schedules from the
terminal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable

from rich.table import Table

from client.cli.exit_codes import ExitCode, UsageError
from client.cli.output import Output
from client.cli.session import connected
from client.generated.enums import Priority, ReportFormat, ReportKind, ReportPeriod
from client.generated.fragments import ScheduleFields
from client.generated.input_types import DeliveryTargetInput, ReportScheduleInput
from client.reports import Reports

# The service serves at most this many schedules a page (and keeps at most 100 an account).
PAGE = 100
WEBHOOK_SCHEMES = ("https://", "http://")

DESCRIPTION = (
    "Report schedules: a report made by the calendar (cron, read in --time-zone).\n\n"
    "  reports schedules list\n"
    "  reports schedules create --name N --kind K --format F --cron '0 7 * * MON' [...]\n"
    "  reports schedules enable|disable|run|delete ID\n\n"
    "run makes one run now and prints its job's id."
)

Action = Callable[[argparse.Namespace, Output], Awaitable[ExitCode]]


def declare(parser: argparse.ArgumentParser) -> None:
    """The actions, each a sub-command taking --url and --json as well (either place)."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="<action>")

    def action(name: str, summary: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(
            name,
            help=summary,
            description=summary,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        # SUPPRESS: given before the action, they are not reset by the action's defaults.
        sub.add_argument("--url", default=argparse.SUPPRESS, help="the service's base URL")
        sub.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts"
        )
        return sub

    action("list", "list the schedules, newest first")
    create = action("create", "create a schedule; print it")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--kind", required=True, type=str.upper, choices=[k.value for k in ReportKind]
    )
    create.add_argument(
        "--format", required=True, type=str.upper, choices=[f.value for f in ReportFormat]
    )
    create.add_argument(
        "--cron",
        required=True,
        help="five fields: minute hour day-of-month month day-of-week, e.g. '0 7 * * MON'",
    )
    create.add_argument(
        "--time-zone", default="UTC", help="IANA name, e.g. Europe/Berlin (default UTC)"
    )
    create.add_argument(
        "--priority",
        type=str.upper,
        choices=[p.value for p in Priority if p is not Priority.URGENT],
        default=Priority.NORMAL.value,
    )
    create.add_argument("--title")
    create.add_argument(
        "--period",
        type=_period_name,
        choices=[p.value for p in ReportPeriod],
        help="the dates each run reports on (default: all time)",
    )
    create.add_argument(
        "--deliver-to",
        action="append",
        default=[],
        type=delivery_target,
        metavar="ADDRESS|URL",
        help="email the report to ADDRESS, or post it to an https:// URL; repeatable",
    )
    create.add_argument("--disabled", action="store_true", help="create it disabled")
    for name, summary in (
        ("enable", "enable a schedule: it runs from its next occurrence"),
        ("disable", "disable a schedule: it makes no runs"),
        ("run", "one run now, outside the calendar; print its job's id"),
        ("delete", "delete a schedule (its jobs stay)"),
    ):
        action(name, summary).add_argument("id")


async def run_action(args: argparse.Namespace, out: Output) -> ExitCode:
    return await ACTIONS[args.action](args, out)


def delivery_target(text: str) -> DeliveryTargetInput:
    """An address (email) or a URL (webhook); the service checks either in full."""
    value = text.strip()
    if value.lower().startswith(WEBHOOK_SCHEMES):
        return DeliveryTargetInput(webhookUrl=value)
    if "://" not in value and "@" in value:
        return DeliveryTargetInput(email=value)
    raise argparse.ArgumentTypeError(f"{text!r} is neither an email address nor an https:// URL")


def _period_name(text: str) -> str:
    return text.strip().upper().replace("-", "_")


async def list_schedules(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        schedules = await all_schedules(reports)
    if out.json_mode:
        out.document(schedules)
        return ExitCode.DONE
    header = ("id", "name", "cron", "time zone", "enabled", "next run")
    rows = [
        (
            schedule.id,
            schedule.name,
            schedule.cron,
            schedule.time_zone,
            "yes" if schedule.enabled else "no",
            schedule.next_run_at.isoformat(timespec="seconds") if schedule.next_run_at else "-",
        )
        for schedule in schedules
    ]
    if not out.terminal:
        # Piped: one line per schedule, tab-separated, nothing cut.
        for row in (header, *rows):
            print("\t".join(row))
        sys.stdout.flush()
        return ExitCode.DONE
    table = Table(box=None, pad_edge=False)
    for column in header:
        table.add_column(column, no_wrap=column != "name")
    for row in rows:
        table.add_row(*row)
    out.console.print(table)
    return ExitCode.DONE


async def all_schedules(reports: Reports) -> list[ScheduleFields]:
    schedules: list[ScheduleFields] = []
    after: str | None = None
    while True:
        page = (await reports.report_schedules(first=PAGE, after=after)).report_schedules
        schedules.extend(edge.node for edge in page.edges)
        if not page.page_info.has_next_page or page.page_info.end_cursor is None:
            return schedules
        after = page.page_info.end_cursor


async def create(args: argparse.Namespace, out: Output) -> ExitCode:
    schedule = ReportScheduleInput(
        name=args.name,
        kind=ReportKind(args.kind),
        format=ReportFormat(args.format),
        priority=Priority(args.priority),
        title=args.title,
        cron=args.cron,
        timeZone=args.time_zone,
        period=ReportPeriod(args.period) if args.period else None,
        enabled=not args.disabled,
        deliverTo=args.deliver_to,
    )
    async with connected(args) as reports:
        created = (await reports.create_report_schedule(schedule)).create_report_schedule
    _changed(out, created, "Created")
    return ExitCode.DONE


async def enable(args: argparse.Namespace, out: Output) -> ExitCode:
    return await _set_enabled(args, out, True)


async def disable(args: argparse.Namespace, out: Output) -> ExitCode:
    return await _set_enabled(args, out, False)


async def _set_enabled(args: argparse.Namespace, out: Output, enabled: bool) -> ExitCode:
    async with connected(args) as reports:
        answer = await reports.set_report_schedule_enabled(args.id, enabled)
    _changed(out, answer.set_report_schedule_enabled, "Enabled" if enabled else "Disabled")
    return ExitCode.DONE


async def run_now(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        run = (await reports.run_report_schedule_now(args.id)).run_report_schedule_now
    if run.job is None:
        raise UsageError(f"schedule {args.id} ran ({run.id}), but its job is gone already")
    if out.json_mode:
        out.document(run.job)
    else:
        out.line(run.job.id)
    return ExitCode.DONE


async def delete(args: argparse.Namespace, out: Output) -> ExitCode:
    async with connected(args) as reports:
        await reports.delete_report_schedule(args.id)
    if out.json_mode:
        out.document({"id": args.id, "deleted": True})
    else:
        out.line(f"Deleted {args.id}")
    return ExitCode.DONE


def _changed(out: Output, schedule: ScheduleFields, verb: str) -> None:
    if out.json_mode:
        out.document(schedule)
        return
    following = (
        f", next run {schedule.next_run_at.isoformat(timespec='seconds')}"
        if schedule.next_run_at
        else ""
    )
    out.line(
        f"{verb} {schedule.id} {schedule.name!r} ({schedule.cron} {schedule.time_zone}{following})"
    )


ACTIONS: dict[str, Action] = {
    "list": list_schedules,
    "create": create,
    "enable": enable,
    "disable": disable,
    "run": run_now,
    "delete": delete,
}
