from enum import Enum


class DeliveryChannel(str, Enum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"


class DeliveryStatus(str, Enum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class JobStatus(str, Enum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class OrderStatus(str, Enum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class Priority(str, Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class ReportFormat(str, Enum):
    CSV = "CSV"
    PDF = "PDF"


class ReportKind(str, Enum):
    ORDERS = "ORDERS"
    SALES = "SALES"
    INVENTORY = "INVENTORY"
    CUSTOMERS = "CUSTOMERS"


class ReportPeriod(str, Enum):
    PREVIOUS_DAY = "PREVIOUS_DAY"
    LAST_7_DAYS = "LAST_7_DAYS"
    PREVIOUS_WEEK = "PREVIOUS_WEEK"
    PREVIOUS_MONTH = "PREVIOUS_MONTH"
    MONTH_TO_DATE = "MONTH_TO_DATE"
    YEAR_TO_DATE = "YEAR_TO_DATE"
