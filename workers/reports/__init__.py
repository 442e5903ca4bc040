"""Report kinds, registered in one place: a new kind is one module and one line here."""

from __future__ import annotations

from models.report_jobs import ReportKind
from workers.reports.base import ReportBuilder
from workers.reports.customers import CustomersReport
from workers.reports.inventory import InventoryReport
from workers.reports.orders import OrdersReport
from workers.reports.sales import SalesReport

REPORT_BUILDERS: dict[ReportKind, type[ReportBuilder]] = {
    ReportKind.ORDERS: OrdersReport,
    ReportKind.SALES: SalesReport,
    ReportKind.INVENTORY: InventoryReport,
    ReportKind.CUSTOMERS: CustomersReport,
}
