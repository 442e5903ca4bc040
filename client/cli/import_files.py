"""Reading and checking the CSV files `reports import` takes, before anything is sent:
every bad line is found and named, so that a bad file imports nothing.

The service checks the same rules again; they are repeated here (the limits
below are the service's) only so that a whole file is judged up front.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from client.cli.exit_codes import ExitCode, UsageError
from client.cli.output import Output
from client.generated.enums import OrderStatus
from client.generated.fragments import ProductFields
from client.generated.input_types import CreateOrderInput, OrderItemInput, ProductInput

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
