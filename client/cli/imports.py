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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from client.cli.exit_codes import ExitCode, UsageError, exit_code_of
from client.cli.output import Output
from client.cli.session import connected
from client.errors import ReportsError
from client.generated.enums import OrderStatus
from client.generated.fragments import OrderFields, ProductFields
from client.generated.input_types import CreateOrderInput, OrderItemInput, ProductInput
from client.reports import Reports

PRODUCT_COLUMNS = ("sku", "name", "price", "stock")
PRODUCT_OPTIONAL = ("stock",)
ORDER_COLUMNS = ("order", "customer_name", "customer_email", "sku", "quantity", "status")
ORDER_OPTIONAL = ("status",)
IMPORTED_STATUSES = (OrderStatus.PENDING, OrderStatus.COMPLETED)

# The service's own limits (BAD_USER_INPUT past them), checked before anything is sent.
MAX_SKU = 64
MAX_TEXT = 200
MAX_EMAIL = 254
MAX_PRICE = Decimal("9999999999.99")
MAX_STOCK = 2_000_000_000
MAX_QUANTITY = 1_000_000
MAX_ORDER_LINES = 500
MAX_ORDER_TOTAL = Decimal("999999999999.99")
# As simple as the service's check: one @, no spaces, a dot in the domain.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PRICE = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
WHOLE = re.compile(r"[0-9]+")
# Pages as large as the service serves: products are small; an order's page is
# kept under the service's cost limit (each order may hold 500 lines).
PRODUCTS_PAGE = 500
ORDERS_PAGE = 50

# A record of the file: the line it starts on, and its fields.
Row = tuple[int, list[str]]


class Problems:
    """What is wrong with a file, by line number."""

    def __init__(self) -> None:
        self.by_line: dict[int, list[str]] = {}

    def add(self, line: int, message: str) -> None:
        self.by_line.setdefault(line, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_line)

    def report(self, path: Path, out: Output) -> ExitCode:
        for line in sorted(self.by_line):
            out.error(f"{path} line {line}: {'; '.join(self.by_line[line])}")
        count = len(self.by_line)
        out.error(f"{count} bad line{'s' if count != 1 else ''} in {path}; nothing was imported")
        return ExitCode.USAGE


# Reading the file.


def read_rows(path: Path) -> list[Row]:
    """The file's records, each with the line it starts on (the header is the first);
    blank records are left out."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return rows_of(file, path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def rows_of(lines: Iterable[str], path: Path) -> list[Row]:
    rows: list[Row] = []
    reader = csv.reader(lines)
    ended = 0
    try:
        for fields in reader:
            start, ended = ended + 1, reader.line_num
            if any(value.strip() for value in fields):
                rows.append((start, fields))
    except csv.Error as exc:
        raise UsageError(f"{path} line {ended + 1}: not readable as CSV ({exc})") from None
    return rows


def check_header(
    rows: Sequence[Row], columns: Sequence[str], optional: Sequence[str], problems: Problems
) -> list[str] | None:
    """The file's columns, if its header is one the format allows; else None, with why."""
    shapes = [list(columns[: len(columns) - n]) for n in range(len(optional) + 1)]
    spelled = " or ".join(f"`{','.join(shape)}`" for shape in shapes)
    if not rows or rows[0][0] != 1:
        problems.add(1, f"the first line must be the header {spelled}")
        return None
    header = [name.strip() for name in rows[0][1]]
    if header in shapes:
        return header
    missing = [name for name in columns if name not in header and name not in optional]
    unknown = [name for name in header if name not in columns]
    repeated = sorted({name for name in header if header.count(name) > 1})
    why = [
        *(["missing " + ", ".join(missing)] if missing else []),
        *(["unknown " + ", ".join(repr(name) for name in unknown)] if unknown else []),
        *(["repeated " + ", ".join(repeated)] if repeated else []),
    ] or ["columns in another order"]
    problems.add(1, f"the header must be {spelled} ({'; '.join(why)})")
    return None


def records(
    rows: Sequence[Row], header: Sequence[str], problems: Problems
) -> Iterable[tuple[int, dict[str, str]]]:
    """Each data row as {column: value, stripped}; a row of another length is a problem."""
    for line, fields in rows[1:]:
        if len(fields) != len(header):
            problems.add(
                line,
                f"{len(fields)} field{'s' if len(fields) != 1 else ''} where the header "
                f"has {len(header)}",
            )
            continue
        yield line, {name: value.strip() for name, value in zip(header, fields, strict=True)}


# Checking one field: each returns the value, or None after saying what is wrong.


@dataclass
class Fields:
    """One row's values, checked one by one; `errors` says what was wrong."""

    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    def text(self, name: str, max_length: int) -> str | None:
        value = self.values[name]
        if not value:
            self.errors.append(f"{name} is empty")
            return None
        if len(value) > max_length:
            self.errors.append(f"{name} is longer than {max_length} characters")
            return None
        if any(ord(character) < 32 for character in value):
            self.errors.append(f"{name} holds a control character (a line break?)")
            return None
        return value

    def email(self, name: str) -> str | None:
        value = self.text(name, MAX_EMAIL)
        if value is not None and not EMAIL.fullmatch(value):
            self.errors.append(f"{name} {value!r} is not an email address")
            return None
        return value

    def price(self, name: str) -> Decimal | None:
        value = self.values[name]
        if not value:
            self.errors.append(f"{name} is empty")
            return None
        if value.startswith("-"):
            self.errors.append(f"{name} {value!r} is negative")
            return None
        if not PRICE.fullmatch(value):
            self.errors.append(
                f"{name} {value!r} is not a decimal number with at most two decimals (like 4.20)"
            )
            return None
        amount = Decimal(value)
        if amount > MAX_PRICE:
            self.errors.append(f"{name} {value!r} is over {MAX_PRICE}")
            return None
        return amount

    def whole(self, name: str, minimum: int, maximum: int) -> int | None:
        value = self.values[name]
        if not value:
            self.errors.append(f"{name} is empty")
            return None
        if value.startswith("-"):
            self.errors.append(f"{name} {value!r} is negative")
            return None
        if not WHOLE.fullmatch(value):
            self.errors.append(f"{name} {value!r} is not a whole number")
            return None
        # int() refuses thousands of digits: such a number is out of range anyway.
        digits = value.lstrip("0") or "0"
        number = int(digits) if len(digits) <= len(str(maximum)) else maximum + 1
        if not minimum <= number <= maximum:
            self.errors.append(f"{name} {value!r} is not between {minimum} and {maximum}")
            return None
        return number

    def status(self, name: str) -> OrderStatus | None:
        if name not in self.values:
            return OrderStatus.PENDING
        value = self.values[name]
        if not value:
            self.errors.append(f"{name} is empty")
            return None
        for status in IMPORTED_STATUSES:
            if value.upper() == status.value:
                return status
        self.errors.append(f"{name} {value!r} is neither PENDING nor COMPLETED")
        return None


# Products.


@dataclass(frozen=True)
class ProductRow:
    line: int
    product: ProductInput


def products_from(rows: Sequence[Row], problems: Problems) -> list[ProductRow]:
    header = check_header(rows, PRODUCT_COLUMNS, PRODUCT_OPTIONAL, problems)
    if header is None:
        return []
    products: list[ProductRow] = []
    first_line: dict[str, int] = {}
    for line, values in records(rows, header, problems):
        row = Fields(values)
        sku = row.text("sku", MAX_SKU)
        name = row.text("name", MAX_TEXT)
        price = row.price("price")
        stock = row.whole("stock", 0, MAX_STOCK) if "stock" in values else 0
        if sku is not None:
            if sku in first_line:
                row.errors.append(f"sku {sku!r} is on line {first_line[sku]} already")
            else:
                first_line[sku] = line
        if row.errors:
            problems.add(line, "; ".join(row.errors))
            continue
        assert sku is not None and name is not None and price is not None and stock is not None
        products.append(
            ProductRow(line, ProductInput(sku=sku, name=name, price=price, stock=stock))
        )
    return products


# Orders.


@dataclass(frozen=True)
class OrderRow:
    line: int
    label: str
    customer_name: str
    customer_email: str
    sku: str
    quantity: int
    status: OrderStatus


@dataclass
class PlannedOrder:
    """The rows of one order label, in file order."""

    label: str
    rows: list[OrderRow]

    @property
    def first(self) -> OrderRow:
        return self.rows[0]

    def as_input(self) -> CreateOrderInput:
        return CreateOrderInput(
            customerName=self.first.customer_name,
            customerEmail=self.first.customer_email,
            items=[OrderItemInput(sku=row.sku, quantity=row.quantity) for row in self.rows],
        )


def orders_from(rows: Sequence[Row], problems: Problems) -> list[PlannedOrder]:
    header = check_header(rows, ORDER_COLUMNS, ORDER_OPTIONAL, problems)
    if header is None:
        return []
    orders: dict[str, PlannedOrder] = {}
    for line, values in records(rows, header, problems):
        row = Fields(values)
        label = row.text("order", MAX_TEXT)
        customer_name = row.text("customer_name", MAX_TEXT)
        customer_email = row.email("customer_email")
        sku = row.text("sku", MAX_SKU)
        quantity = row.whole("quantity", 1, MAX_QUANTITY)
        status = row.status("status")
        if row.errors:
            problems.add(line, "; ".join(row.errors))
            continue
        assert label is not None and customer_name is not None and customer_email is not None
        assert sku is not None and quantity is not None and status is not None
        parsed = OrderRow(line, label, customer_name, customer_email, sku, quantity, status)
        planned = orders.setdefault(label, PlannedOrder(label, []))
        if planned.rows:
            disagreement = _disagreement(planned.first, parsed)
            if disagreement:
                problems.add(line, disagreement)
                continue
        planned.rows.append(parsed)
        if len(planned.rows) == MAX_ORDER_LINES + 1:
            problems.add(line, f"order {label!r} has more than {MAX_ORDER_LINES} rows")
    return list(orders.values())


def _disagreement(first: OrderRow, row: OrderRow) -> str | None:
    different = []
    if row.customer_name != first.customer_name:
        different.append(f"customer_name {row.customer_name!r}, not {first.customer_name!r}")
    if row.customer_email.lower() != first.customer_email.lower():
        different.append(f"customer_email {row.customer_email!r}, not {first.customer_email!r}")
    if row.status is not first.status:
        different.append(f"status {row.status.value}, not {first.status.value}")
    if not different:
        return None
    return (
        f"order {row.label!r} has {' and '.join(different)} as on line {first.line} "
        "(every row of an order names the same customer and status)"
    )


def check_with_catalog(
    orders: Sequence[PlannedOrder], catalog: dict[str, ProductFields], problems: Problems
) -> None:
    """What the service would refuse: unknown skus, totals over its limit, and COMPLETED
    orders taking more stock than there is (in file order, as they are imported)."""
    stock = {sku: product.stock for sku, product in catalog.items()}
    for order in orders:
        total = Decimal(0)
        known = True
        for row in order.rows:
            product = catalog.get(row.sku)
            if product is None:
                problems.add(row.line, f"sku {row.sku!r} is not a product of this account")
                known = False
                continue
            total += product.price * row.quantity
        if known and total > MAX_ORDER_TOTAL:
            problems.add(order.first.line, f"order {order.label!r} totals over {MAX_ORDER_TOTAL}")
        if not known or order.first.status is not OrderStatus.COMPLETED:
            continue
        needed: dict[str, int] = {}
        for row in order.rows:
            needed[row.sku] = needed.get(row.sku, 0) + row.quantity
        short = [sku for sku, quantity in needed.items() if quantity > stock[sku]]
        if short:
            for row in order.rows:
                if row.sku in short:
                    problems.add(
                        row.line,
                        f"not enough stock of {row.sku!r} to complete order {order.label!r} "
                        f"({stock[row.sku]} left for {needed[row.sku]})",
                    )
            continue
        for sku, quantity in needed.items():
            stock[sku] -= quantity


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
