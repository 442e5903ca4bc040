"""`reports import`, `reports export` and `reports schedules`, run as the real command (a
process of its own) against a real API and worker; what they did is checked through
the typed client."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from client.generated.enums import OrderStatus
from client.generated.fragments import OrderFields
from client.generated.input_types import CreateOrderInput, OrderItemInput, ProductInput
from client.reports import Reports
from service.processes import PROJECT_ROOT, running_api, running_worker
from tests.support.stacks import StackFactory

PASSWORD = "correct horse battery staple"
CLI_TIMEOUT_SECONDS = 120
ORDER_HEADER = "order,customer_name,customer_email,sku,quantity,status"


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    def bad_lines(self) -> set[int]:
        """The line numbers the errors name."""
        return {int(number) for number in re.findall(r"\bline (\d+):", self.stderr)}


@dataclass(frozen=True)
class Account:
    """A fresh account of the service, and the command line signed in to it."""

    url: str
    token: str
    config: Path

    async def cli(self, *args: str | Path) -> Ran:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service.cli",
            *(str(arg) for arg in args),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={
                **os.environ,
                "REPORTS_URL": self.url,
                "REPORTS_TOKEN": self.token,
                "XDG_CONFIG_HOME": str(self.config),
            },
            cwd=PROJECT_ROOT,
        )
        out, err = await asyncio.wait_for(process.communicate(), CLI_TIMEOUT_SECONDS)
        assert process.returncode is not None
        return Ran(process.returncode, out.decode(), err.decode())

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[Reports]:
        async with Reports(self.url, self.token) as reports:
            yield reports

    async def orders(self) -> list[OrderFields]:
        async with self.client() as reports:
            page = (await reports.orders(first=50)).orders
        assert not page.page_info.has_next_page
        return [edge.node for edge in page.edges]

    async def stock(self) -> dict[str, int]:
        async with self.client() as reports:
            page = (await reports.products(first=500)).products
        return {edge.node.sku: edge.node.stock for edge in page.edges}


@pytest.fixture(scope="module")
async def service_url(stack: StackFactory) -> AsyncIterator[str]:
    lab = await stack("cli-data")
    with running_api(lab) as url, running_worker(lab):
        yield url


async def new_account(url: str, config: Path) -> Account:
    async with Reports(url) as reports:
        email = f"cli-data-{uuid.uuid4().hex[:10]}@example.com"
        token = (await reports.register(email, PASSWORD)).sign_up.token
    return Account(url, token, config)


@pytest.fixture
async def account(service_url: str, tmp_path: Path) -> Account:
    return await new_account(service_url, tmp_path / "config")


async def stocked(account: Account, **stock: int) -> None:
    """Products TEA, MUG, ... at 2.50 each, with the stock given."""
    async with account.client() as reports:
        for sku, units in stock.items():
            await reports.upsert_product(
                ProductInput(
                    sku=sku, name=f"{sku.title()} product", price=Decimal("2.50"), stock=units
                )
            )


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


async def test_a_products_file_is_imported(account: Account, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "products.csv",
        "sku,name,price,stock",
        "TEA-1,Green tea,4.20,100",
        'MUG-2,"Mug, large",12,0',
        "",
        "PEN-3,Pen,0.5,7",
    )
    ran = await account.cli("import", "products", path)
    assert ran.code == 0, ran.stderr
    assert ran.stdout.strip() == "Imported 3 products."
    async with account.client() as reports:
        products = {e.node.sku: e.node for e in (await reports.products(first=50)).products.edges}
    assert {sku: (p.name, p.price, p.stock) for sku, p in products.items()} == {
        "TEA-1": ("Green tea", Decimal("4.20"), 100),
        "MUG-2": ("Mug, large", Decimal("12.00"), 0),
        "PEN-3": ("Pen", Decimal("0.50"), 7),
    }


async def test_without_a_stock_column_products_have_none_and_json_says_so(
    account: Account, tmp_path: Path
) -> None:
    path = write(tmp_path, "products.csv", "sku,name,price", "TEA-1,Green tea,4.20")
    ran = await account.cli("import", "products", path, "--json")
    assert ran.code == 0, ran.stderr
    answer = json.loads(ran.stdout)
    assert answer["imported"] == 1
    assert [(p["sku"], p["stock"]) for p in answer["products"]] == [("TEA-1", 0)]
    assert await account.stock() == {"TEA-1": 0}


async def test_an_orders_file_is_imported_one_order_completed(
    account: Account, tmp_path: Path
) -> None:
    await stocked(account, TEA=10, MUG=10)
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER,
        "A-1,Grace Hopper,grace@example.com,TEA,2,COMPLETED",
        "B-7,Alan Turing,alan@example.com,MUG,1,PENDING",
        "A-1,Grace Hopper,GRACE@example.com,MUG,3,completed",
    )
    ran = await account.cli("import", "orders", path, "--json")
    assert ran.code == 0, ran.stderr
    answer = json.loads(ran.stdout)
    assert (answer["imported"], answer["lines"]) == (2, 3)
    ids = {order["order"]: order["id"] for order in answer["orders"]}
    orders = {order.id: order for order in await account.orders()}
    assert set(orders) == set(ids.values())
    grace, alan = orders[ids["A-1"]], orders[ids["B-7"]]
    assert grace.status is OrderStatus.COMPLETED and alan.status is OrderStatus.PENDING
    assert [(i.product.sku, i.quantity) for i in grace.items] == [("TEA", 2), ("MUG", 3)]
    assert (grace.customer_name, grace.customer_email) == ("Grace Hopper", "grace@example.com")
    assert grace.total == Decimal("12.50")
    assert await account.stock() == {"TEA": 8, "MUG": 7}, "the completed order took stock"


async def test_orders_without_a_status_column_stay_pending(
    account: Account, tmp_path: Path
) -> None:
    await stocked(account, TEA=10)
    path = write(
        tmp_path,
        "orders.csv",
        "order,customer_name,customer_email,sku,quantity",
        "1,Grace,grace@example.com,TEA,1",
        "1,Grace,grace@example.com,TEA,4",
    )
    ran = await account.cli("import", "orders", path)
    assert ran.code == 0, ran.stderr
    assert ran.stdout.strip() == "Imported 1 order (2 lines)."
    [order] = await account.orders()
    assert order.status is OrderStatus.PENDING and len(order.items) == 2


async def test_a_products_file_with_bad_lines_imports_nothing(
    account: Account, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "products.csv",
        "sku,name,price,stock",
        "TEA-1,Green tea,4.20,100",
        "MUG-2,Mug,4.999,1",
        "PEN-3,Pen,1.00,-4",
        "CUP-4,,1.00,1",
        "BAG-5,Bag,12 EUR,2.5",
        "TEA-1,Green tea again,4.20,1",
        "HAT-6,Hat,3.00",
        "BOX-7,Box,-1,1",
        "LID-8,Lid,1,2",
    )
    ran = await account.cli("import", "products", path)
    assert ran.code == 2, ran.stderr
    assert ran.bad_lines() == {3, 4, 5, 6, 7, 8, 9}
    assert "price '4.999'" in ran.stderr and "stock '-4' is negative" in ran.stderr
    assert "name is empty" in ran.stderr and "stock '2.5' is not a whole number" in ran.stderr
    assert "on line 2 already" in ran.stderr and "nothing was imported" in ran.stderr
    assert "Traceback" not in ran.stderr and ran.stdout == ""
    assert await account.stock() == {}


async def test_a_wrong_header_is_reported_as_line_one(account: Account, tmp_path: Path) -> None:
    path = write(tmp_path, "products.csv", "sku,name,cost", "TEA-1,Green tea,4.20")
    ran = await account.cli("import", "products", path)
    assert ran.code == 2
    assert ran.bad_lines() == {1}
    assert "missing price" in ran.stderr and "unknown 'cost'" in ran.stderr
    assert await account.stock() == {}


async def test_an_orders_file_with_bad_lines_imports_nothing(
    account: Account, tmp_path: Path
) -> None:
    await stocked(account, TEA=10)
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER,
        "1,Grace,grace@example.com,TEA,1,PENDING",
        "1,Grace,grace@example.com,TEA,two,PENDING",
        "2,Alan,alan@example.com,TEA,-3,PENDING",
        "2,Alan,alan@example.com,TEA,1,SHIPPED",
        "1,Ada,grace@example.com,TEA,1,PENDING",
        "3,Edsger,not-an-address,TEA,1,PENDING",
        "4,Barbara,barbara@example.com,TEA,0,COMPLETED",
        "5,Ken,ken@example.com,,1,PENDING",
        "5,Ken,ken@example.com,TEA,1",
        "6,Dennis,dennis@example.com,TEA,1,COMPLETED",
    )
    ran = await account.cli("import", "orders", path)
    assert ran.code == 2, ran.stderr
    assert ran.bad_lines() == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "quantity 'two' is not a whole number" in ran.stderr
    assert "quantity '-3' is negative" in ran.stderr
    assert "status 'SHIPPED' is neither PENDING nor COMPLETED" in ran.stderr
    assert "customer_name 'Ada', not 'Grace'" in ran.stderr and "on line 2" in ran.stderr
    assert "'not-an-address' is not an email address" in ran.stderr
    assert "quantity '0' is not between 1 and 1000000" in ran.stderr
    assert "sku is empty" in ran.stderr and "5 fields where the header has 6" in ran.stderr
    assert await account.orders() == []
    assert await account.stock() == {"TEA": 10}


async def test_an_unknown_sku_imports_no_order(account: Account, tmp_path: Path) -> None:
    await stocked(account, TEA=10, MUG=10)
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER,
        "1,Grace,grace@example.com,TEA,1,COMPLETED",
        "2,Alan,alan@example.com,MUG,1,PENDING",
        "2,Alan,alan@example.com,SPOON,1,PENDING",
        "3,Ada,ada@example.com,tea,1,PENDING",
    )
    ran = await account.cli("import", "orders", path)
    assert ran.code == 2, ran.stderr
    assert ran.bad_lines() == {4, 5}
    assert "sku 'SPOON' is not a product of this account" in ran.stderr
    assert "sku 'tea'" in ran.stderr
    assert await account.orders() == []
    assert await account.stock() == {"TEA": 10, "MUG": 10}


async def test_not_enough_stock_for_a_completed_order_imports_nothing(
    account: Account, tmp_path: Path
) -> None:
    await stocked(account, TEA=3)
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER,
        "1,Grace,grace@example.com,TEA,2,COMPLETED",
        "2,Alan,alan@example.com,TEA,2,COMPLETED",
    )
    ran = await account.cli("import", "orders", path)
    assert ran.code == 2
    assert ran.bad_lines() == {3}
    assert "not enough stock of 'TEA'" in ran.stderr
    assert await account.orders() == []


async def test_exported_orders_read_back_and_import_again(account: Account, tmp_path: Path) -> None:
    await stocked(account, TEA=10, MUG=10)
    async with account.client() as reports:
        first = await reports.create_order(
            CreateOrderInput(
                customerName="Grace, R.",
                customerEmail="grace@example.com",
                items=[
                    OrderItemInput(sku="TEA", quantity=2),
                    OrderItemInput(sku="MUG", quantity=1),
                ],
            )
        )
        await reports.complete_order(first.create_order.id)
        second = await reports.create_order(
            CreateOrderInput(
                customerName="Alan",
                customerEmail="alan@example.com",
                items=[OrderItemInput(sku="MUG", quantity=4)],
            )
        )
    ran = await account.cli("export", "orders")
    assert ran.code == 0, ran.stderr
    assert ran.stdout.splitlines()[0] == ORDER_HEADER
    rows = [tuple(row.values()) for row in csv.DictReader(io.StringIO(ran.stdout))]
    assert sorted(rows) == sorted(
        [
            (first.create_order.id, "Grace, R.", "grace@example.com", "TEA", "2", "COMPLETED"),
            (first.create_order.id, "Grace, R.", "grace@example.com", "MUG", "1", "COMPLETED"),
            (second.create_order.id, "Alan", "alan@example.com", "MUG", "4", "PENDING"),
        ]
    )

    exported = tmp_path / "exported.csv"
    exported.write_text(ran.stdout, encoding="utf-8")
    other = await new_account(account.url, account.config)
    await stocked(other, TEA=10, MUG=10)
    imported = await other.cli("import", "orders", exported)
    assert imported.code == 0, imported.stderr
    assert imported.stdout.strip() == "Imported 2 orders (3 lines)."
    again = await other.cli("export", "orders")
    copied = [row[1:] for row in csv.reader(io.StringIO(again.stdout))]
    assert sorted(copied) == sorted(row[1:] for row in csv.reader(io.StringIO(ran.stdout)))


async def test_export_as_json_to_a_file_and_by_status(account: Account, tmp_path: Path) -> None:
    await stocked(account, TEA=10)
    async with account.client() as reports:
        for quantity in (1, 2):
            created = await reports.create_order(
                CreateOrderInput(
                    customerName="Grace",
                    customerEmail="grace@example.com",
                    items=[OrderItemInput(sku="TEA", quantity=quantity)],
                )
            )
        await reports.complete_order(created.create_order.id)

    as_json = await account.cli("export", "orders", "--json")
    assert as_json.code == 0, as_json.stderr
    listed = json.loads(as_json.stdout)
    assert sorted(order["status"] for order in listed) == ["COMPLETED", "PENDING"]
    assert all(order["items"][0]["product"]["sku"] == "TEA" for order in listed)

    path = tmp_path / "completed.csv"
    to_file = await account.cli("export", "orders", "--status", "completed", "--output", path)
    assert to_file.code == 0, to_file.stderr
    assert to_file.stdout.strip() == f"Exported 1 order (1 line) to {path}."
    assert path.read_text().splitlines() == [
        ORDER_HEADER,
        f"{created.create_order.id},Grace,grace@example.com,TEA,2,COMPLETED",
    ]


async def test_schedules_created_listed_run_disabled_and_deleted(account: Account) -> None:
    created = await account.cli(
        "schedules",
        "create",
        "--name",
        "Weekly sales",
        "--kind",
        "sales",
        "--format",
        "CSV",
        "--cron",
        "0 7 * * MON",
        "--time-zone",
        "Europe/Berlin",
        "--priority",
        "HIGH",
        "--period",
        "previous-week",
        "--deliver-to",
        "boss@example.com",
        "--json",
    )
    assert created.code == 0, created.stderr
    schedule = json.loads(created.stdout)
    assert (schedule["name"], schedule["cron"], schedule["timeZone"]) == (
        "Weekly sales",
        "0 7 * * MON",
        "Europe/Berlin",
    )
    assert (schedule["priority"], schedule["period"]) == ("HIGH", "PREVIOUS_WEEK")
    assert schedule["enabled"] is True and schedule["nextRunAt"] is not None
    assert schedule["deliverTo"] == [{"channel": "EMAIL", "target": "boss@example.com"}]
    schedule_id = schedule["id"]

    listed = await account.cli("schedules", "--json", "list")
    assert listed.code == 0, listed.stderr
    assert [s["id"] for s in json.loads(listed.stdout)] == [schedule_id]
    table = await account.cli("schedules", "list")
    assert table.stdout.splitlines()[0].split("\t") == [
        "id",
        "name",
        "cron",
        "time zone",
        "enabled",
        "next run",
    ]
    assert table.stdout.splitlines()[1].startswith(f"{schedule_id}\tWeekly sales\t0 7 * * MON\t")

    ran = await account.cli("schedules", "run", schedule_id, "--json")
    assert ran.code == 0, ran.stderr
    job = json.loads(ran.stdout)
    async with account.client() as reports:
        made = (await reports.report_job(job["id"])).report_job
    assert made is not None and made.schedule is not None and made.schedule.id == schedule_id

    disabled = await account.cli("schedules", "disable", schedule_id, "--json")
    assert disabled.code == 0, disabled.stderr
    assert json.loads(disabled.stdout)["enabled"] is False
    assert json.loads(disabled.stdout)["nextRunAt"] is None

    deleted = await account.cli("schedules", "delete", schedule_id, "--json")
    assert deleted.code == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"id": schedule_id, "deleted": True}
    async with account.client() as reports:
        assert (await reports.report_schedules(first=10)).report_schedules.total_count == 0


async def test_a_bad_cron_is_refused_naming_cron(account: Account) -> None:
    ran = await account.cli(
        "schedules",
        "create",
        "--name",
        "Broken",
        "--kind",
        "SALES",
        "--format",
        "PDF",
        "--cron",
        "0 7 * *",
    )
    assert ran.code == 2
    assert "cron" in ran.stderr and "Traceback" not in ran.stderr
    async with account.client() as reports:
        assert (await reports.report_schedules(first=10)).report_schedules.total_count == 0


async def test_a_refusal_while_importing_names_its_line_and_exits_with_its_code(
    account: Account, tmp_path: Path
) -> None:
    path = write(tmp_path, "products.csv", "sku,name,price", "TEA-1,Green tea,4.20")
    signed_out = Account(account.url, "not-a-token", account.config)
    ran = await signed_out.cli("import", "products", path)
    assert ran.code == 3, ran.stderr
    assert ran.bad_lines() == {2} and "the service refused it" in ran.stderr
    assert "imported before it: none" in ran.stderr
