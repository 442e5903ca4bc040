"""`reports import products|orders FILE.csv` and `reports export orders`.

CSV files for `reports import`
------------------------------

Both formats: UTF-8 text (a byte-order mark is allowed), comma-separated, a field
in double quotes where it holds a comma or a quote (written twice); no value may
hold a line break or another control character. The first line is the header:
the column names below, lower case, in this order (spaces around a name are
ignored). Spaces around a value are ignored. Every field of a row must be
filled in; blank lines, and lines whose fields are all empty, are skipped.
Line numbers in error messages count from the header, which is line 1.

Products: `reports import products FILE.csv`

    sku,name,price,stock
    TEA-1,Green tea,4.20,100
    MUG-2,"Mug, large",12,0

- `sku`: up to 64 characters; each sku at most once in the file. A sku the
  account has already is updated (name, price and stock replaced), else created.
- `name`: up to 200 characters.
- `price`: digits, optionally followed by a point and one or two decimals
  (`12`, `4.2`, `4.20`); at most 9999999999.99. No sign, currency, thousands
  separator or exponent.
- `stock`: a whole number from 0 to 2000000000. The column may be left out
  (header `sku,name,price`): every product of the file then gets stock 0, an
  existing one too.

Orders: `reports import orders FILE.csv`

    order,customer_name,customer_email,sku,quantity,status
    A-1,Grace Hopper,grace@example.com,TEA-1,2,COMPLETED
    A-1,Grace Hopper,grace@example.com,MUG-2,1,COMPLETED
    A-2,Alan Turing,alan@example.com,TEA-1,5,PENDING

- `order`: any label the file chooses (a number, a name, an id); the rows with
  the same label, wherever they are in the file, are the lines of one order, in
  the order they appear. The label is not stored: each order gets a new id.
- `customer_name` (up to 200 characters) and `customer_email` (an address like
  name@example.com): the same on every row of an order (the address compared
  ignoring case).
- `sku`: a product the account has already (import the products first),
  spelled exactly as it is (case matters); the order's unit price is that
  product's price at the time of the import.
- `quantity`: a whole number from 1 to 1000000.
- `status`: `PENDING` or `COMPLETED` (any case), the same on every row of an
  order. The column may be left out (header
  `order,customer_name,customer_email,sku,quantity`): every order is then
  PENDING. A COMPLETED order is completed right after it is created, which
  takes its quantities from the products' stock: there must be enough.
- An order has at most 500 rows.

Nothing is imported unless the whole file is good: every bad line is reported
on standard error with its line number and the command exits with 2. For orders
the account's products are read first, and an unknown sku, an order total over
the service's limit (999999999999.99), or not enough stock for the COMPLETED
orders is reported the same way. Once everything checks out, the products or
orders are created one by one, in file order; should the service still refuse
one, that line is reported, what was created before it stays, and the command
exits with the error's code.

`reports export orders` writes the orders format, with the order's id in the
`order` column and the `status` column always present (PENDING, COMPLETED or
CANCELLED), one row per order line, newest order first. Its PENDING and
COMPLETED orders can be imported again (into an account with the same skus),
as new orders.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from client.cli.exit_codes import ExitCode, UsageError, exit_code_of
from client.cli.import_files import (
    ORDER_COLUMNS,
    Problems,
    Row,
    check_with_catalog,
    orders_from,
    products_from,
    read_rows,
)
from client.cli.output import Output
from client.cli.session import connected
from client.errors import ReportsError
from client.generated.enums import OrderStatus
from client.generated.fragments import OrderFields, ProductFields
from client.reports import Reports

# Pages as large as the service serves: products are small; an order's page is
# kept under the service's cost limit (each order may hold 500 lines).
PRODUCTS_PAGE = 500
ORDERS_PAGE = 50


async def all_products(reports: Reports) -> dict[str, ProductFields]:
    catalog: dict[str, ProductFields] = {}
    after: str | None = None
    while True:
        page = (await reports.products(first=PRODUCTS_PAGE, after=after)).products
        catalog.update((edge.node.sku, edge.node) for edge in page.edges)
        if not page.page_info.has_next_page or page.page_info.end_cursor is None:
            return catalog
        after = page.page_info.end_cursor


async def all_orders(reports: Reports, status: OrderStatus | None) -> list[OrderFields]:
    orders: list[OrderFields] = []
    after: str | None = None
    while True:
        page = (await reports.orders(first=ORDERS_PAGE, status=status, after=after)).orders
        orders.extend(edge.node for edge in page.edges)
        if not page.page_info.has_next_page or page.page_info.end_cursor is None:
            return orders
        after = page.page_info.end_cursor


# The commands.


def declare_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=("products", "orders"))
    parser.add_argument("file", type=Path, metavar="FILE.csv")


def declare_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=("orders",))
    parser.add_argument("--status", type=str.upper, choices=[s.value for s in OrderStatus])
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the CSV to FILE (then --json prints a summary) instead of standard output",
    )


IMPORT_DESCRIPTION = (
    "Import products or orders from a CSV file; nothing is imported unless every line is\n"
    "good (each bad line is reported with its number).\n\n"
    "products: header `sku,name,price,stock` (stock may be left out: 0).\n"
    "orders:   header `order,customer_name,customer_email,sku,quantity,status` (status may be\n"
    "          left out: PENDING); the rows with the same `order` label are one order's lines;\n"
    "          a COMPLETED order is completed once created. Import the products first."
)
EXPORT_DESCRIPTION = (
    "Print the account's orders as CSV, in the format `reports import orders` reads:\n"
    "`order,customer_name,customer_email,sku,quantity,status`, one row per order line,\n"
    "the order's id in `order`, newest order first. --json prints the orders as JSON instead."
)


async def import_file(args: argparse.Namespace, out: Output) -> ExitCode:
    path: Path = args.file
    rows = await asyncio.to_thread(read_rows, path)
    if args.what == "products":
        return await _import_products(args, path, rows, out)
    return await _import_orders(args, path, rows, out)


async def _import_products(
    args: argparse.Namespace, path: Path, rows: list[Row], out: Output
) -> ExitCode:
    problems = Problems()
    products = products_from(rows, problems)
    if problems:
        return problems.report(path, out)
    imported: list[ProductFields] = []
    async with connected(args) as reports:
        for row in products:
            try:
                imported.append((await reports.upsert_product(row.product)).upsert_product)
            except ReportsError as exc:
                return _refused(out, path, row.line, exc, _count(len(imported), "product"))
    if out.json_mode:
        out.document({"imported": len(imported), "products": imported})
    else:
        out.line(f"Imported {_count(len(imported), 'product')}.")
    return ExitCode.DONE


async def _import_orders(
    args: argparse.Namespace, path: Path, rows: list[Row], out: Output
) -> ExitCode:
    problems = Problems()
    orders = orders_from(rows, problems)
    if problems:
        return problems.report(path, out)
    imported: list[dict[str, Any]] = []
    async with connected(args) as reports:
        check_with_catalog(orders, await all_products(reports), problems)
        if problems:
            return problems.report(path, out)
        for order in orders:
            before = _count(len(imported), "order")
            try:
                created = (await reports.create_order(order.as_input())).create_order
            except ReportsError as exc:
                return _refused(out, path, order.first.line, exc, before)
            if order.first.status is OrderStatus.COMPLETED:
                try:
                    created = (await reports.complete_order(created.id)).complete_order
                except ReportsError as exc:
                    pending = f"order {order.label!r} was created ({created.id}) but not completed"
                    return _refused(out, path, order.first.line, exc, before, pending)
            imported.append(
                {
                    "order": order.label,
                    "line": order.first.line,
                    "id": created.id,
                    "status": created.status.value,
                    "lines": len(order.rows),
                }
            )
    lines = sum(len(order.rows) for order in orders)
    if out.json_mode:
        out.document({"imported": len(imported), "lines": lines, "orders": imported})
    else:
        out.line(f"Imported {_count(len(imported), 'order')} ({_count(lines, 'line')}).")
    return ExitCode.DONE


def _refused(
    out: Output, path: Path, line: int, error: ReportsError, before: str, note: str = ""
) -> ExitCode:
    """The service refused the row(s) at `line`, after `before` were imported (they stay)."""
    field_name = f" ({error.field})" if error.field else ""
    out.error(f"{path} line {line}: the service refused it: {error.message}{field_name}")
    if note:
        out.error(note)
    kept = "none" if before.startswith("0 ") else before
    out.error(f"imported before it: {kept} (kept); nothing after it was imported")
    return exit_code_of(error)


async def export(args: argparse.Namespace, out: Output) -> ExitCode:
    status = OrderStatus(args.status) if args.status else None
    async with connected(args) as reports:
        orders = await all_orders(reports, status)
    output: Path | None = args.output
    if output is None:
        if out.json_mode:
            out.document(orders)
        else:
            print(orders_csv(orders), end="", flush=True)
        return ExitCode.DONE
    await asyncio.to_thread(_write, output, orders_csv(orders))
    lines = sum(len(order.items) for order in orders)
    if out.json_mode:
        out.document({"exported": len(orders), "lines": lines, "path": str(output)})
    else:
        out.line(f"Exported {_count(len(orders), 'order')} ({_count(lines, 'line')}) to {output}.")
    return ExitCode.DONE


def orders_csv(orders: Iterable[OrderFields]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(ORDER_COLUMNS)
    for order in orders:
        for item in order.items:
            writer.writerow(
                (
                    order.id,
                    order.customer_name,
                    order.customer_email,
                    item.product.sku,
                    item.quantity,
                    order.status.value,
                )
            )
    return text.getvalue()


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
