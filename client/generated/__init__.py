from .async_base_client import AsyncBaseClient
from .base_model import BaseModel, Upload
from .cancel_order import CancelOrder, CancelOrderCancelOrder
from .cancel_report import CancelReport, CancelReportCancelReport
from .client import GeneratedClient
from .complete_order import CompleteOrder, CompleteOrderCompleteOrder
from .create_order import CreateOrder, CreateOrderCreateOrder
from .create_report_schedule import (
    CreateReportSchedule,
    CreateReportScheduleCreateReportSchedule,
)
from .delete_report import DeleteReport
from .delete_report_schedule import DeleteReportSchedule
from .enums import (
    DeliveryChannel,
    DeliveryStatus,
    JobStatus,
    OrderStatus,
    Priority,
    ReportFormat,
    ReportKind,
    ReportPeriod,
)
from .exceptions import (
    GraphQLClientError,
    GraphQLClientGraphQLError,
    GraphQLClientGraphQLMultiError,
    GraphQLClientHttpError,
    GraphQLClientInvalidResponseError,
)
from .fragments import (
    DeliveryFields,
    JobFields,
    JobFieldsDeliveries,
    JobFieldsSchedule,
    OrderFields,
    OrderFieldsItems,
    OrderFieldsItemsProduct,
    PageFields,
    ProductFields,
    ScheduleFields,
    ScheduleFieldsDeliverTo,
    UserFields,
)
from .input_types import (
    CreateOrderInput,
    DeliveryTargetInput,
    OrderItemInput,
    ProductInput,
    ReportScheduleInput,
    RequestReportInput,
)
from .login import Login, LoginLogin, LoginLoginUser
from .logout import Logout
from .me import Me, MeMe
from .order import Order, OrderOrder
from .orders import (
    Orders,
    OrdersOrders,
    OrdersOrdersEdges,
    OrdersOrdersEdgesNode,
    OrdersOrdersPageInfo,
)
from .products import (
    Products,
    ProductsProducts,
    ProductsProductsEdges,
    ProductsProductsEdgesNode,
    ProductsProductsPageInfo,
)
from .regenerate_report import RegenerateReport, RegenerateReportRegenerateReport
from .register import Register, RegisterSignUp, RegisterSignUpUser
from .report_job import ReportJob, ReportJobReportJob
from .report_jobs import (
    ReportJobs,
    ReportJobsReportJobs,
    ReportJobsReportJobsEdges,
    ReportJobsReportJobsEdgesNode,
    ReportJobsReportJobsPageInfo,
)
from .report_schedule import ReportSchedule, ReportScheduleReportSchedule
from .report_schedules import (
    ReportSchedules,
    ReportSchedulesReportSchedules,
    ReportSchedulesReportSchedulesEdges,
    ReportSchedulesReportSchedulesEdgesNode,
    ReportSchedulesReportSchedulesPageInfo,
)
from .report_stats import (
    ReportStats,
    ReportStatsReportStats,
    ReportStatsReportStatsDelayedDepth,
    ReportStatsReportStatsJobsByStatus,
    ReportStatsReportStatsQueueDepth,
)
from .request_report import RequestReport, RequestReportRequestReport
from .retry_report import RetryReport, RetryReportRetryReport
from .rotate_webhook_secret import RotateWebhookSecret
from .run_report_schedule_now import (
    RunReportScheduleNow,
    RunReportScheduleNowRunReportScheduleNow,
    RunReportScheduleNowRunReportScheduleNowJob,
)
from .schedule_runs import (
    ScheduleRuns,
    ScheduleRunsReportSchedule,
    ScheduleRunsReportScheduleRuns,
    ScheduleRunsReportScheduleRunsEdges,
    ScheduleRunsReportScheduleRunsEdgesNode,
    ScheduleRunsReportScheduleRunsEdgesNodeJob,
    ScheduleRunsReportScheduleRunsPageInfo,
)
from .set_report_schedule_enabled import (
    SetReportScheduleEnabled,
    SetReportScheduleEnabledSetReportScheduleEnabled,
)
from .update_report_schedule import (
    UpdateReportSchedule,
    UpdateReportScheduleUpdateReportSchedule,
)
from .upsert_product import UpsertProduct, UpsertProductUpsertProduct
from .watch_job import WatchJob, WatchJobReportJob
from .watch_jobs import WatchJobs, WatchJobsReportJobs

__all__ = [
    "AsyncBaseClient",
    "BaseModel",
    "CancelOrder",
    "CancelOrderCancelOrder",
    "CancelReport",
    "CancelReportCancelReport",
    "CompleteOrder",
    "CompleteOrderCompleteOrder",
    "CreateOrder",
    "CreateOrderCreateOrder",
    "CreateOrderInput",
    "CreateReportSchedule",
    "CreateReportScheduleCreateReportSchedule",
    "DeleteReport",
    "DeleteReportSchedule",
    "DeliveryChannel",
    "DeliveryFields",
    "DeliveryStatus",
    "DeliveryTargetInput",
    "GeneratedClient",
    "GraphQLClientError",
    "GraphQLClientGraphQLError",
    "GraphQLClientGraphQLMultiError",
    "GraphQLClientHttpError",
    "GraphQLClientInvalidResponseError",
    "JobFields",
    "JobFieldsDeliveries",
    "JobFieldsSchedule",
    "JobStatus",
    "Login",
    "LoginLogin",
    "LoginLoginUser",
    "Logout",
    "Me",
    "MeMe",
    "Order",
    "OrderFields",
    "OrderFieldsItems",
    "OrderFieldsItemsProduct",
    "OrderItemInput",
    "OrderOrder",
    "OrderStatus",
    "Orders",
    "OrdersOrders",
    "OrdersOrdersEdges",
    "OrdersOrdersEdgesNode",
    "OrdersOrdersPageInfo",
    "PageFields",
    "Priority",
    "ProductFields",
    "ProductInput",
    "Products",
    "ProductsProducts",
    "ProductsProductsEdges",
    "ProductsProductsEdgesNode",
    "ProductsProductsPageInfo",
    "RegenerateReport",
    "RegenerateReportRegenerateReport",
    "Register",
    "RegisterSignUp",
    "RegisterSignUpUser",
    "ReportFormat",
    "ReportJob",
    "ReportJobReportJob",
    "ReportJobs",
    "ReportJobsReportJobs",
    "ReportJobsReportJobsEdges",
    "ReportJobsReportJobsEdgesNode",
    "ReportJobsReportJobsPageInfo",
    "ReportKind",
    "ReportPeriod",
    "ReportSchedule",
    "ReportScheduleInput",
    "ReportScheduleReportSchedule",
    "ReportSchedules",
    "ReportSchedulesReportSchedules",
    "ReportSchedulesReportSchedulesEdges",
    "ReportSchedulesReportSchedulesEdgesNode",
    "ReportSchedulesReportSchedulesPageInfo",
    "ReportStats",
    "ReportStatsReportStats",
    "ReportStatsReportStatsDelayedDepth",
    "ReportStatsReportStatsJobsByStatus",
    "ReportStatsReportStatsQueueDepth",
    "RequestReport",
    "RequestReportInput",
    "RequestReportRequestReport",
    "RetryReport",
    "RetryReportRetryReport",
    "RotateWebhookSecret",
    "RunReportScheduleNow",
    "RunReportScheduleNowRunReportScheduleNow",
    "RunReportScheduleNowRunReportScheduleNowJob",
    "ScheduleFields",
    "ScheduleFieldsDeliverTo",
    "ScheduleRuns",
    "ScheduleRunsReportSchedule",
    "ScheduleRunsReportScheduleRuns",
    "ScheduleRunsReportScheduleRunsEdges",
    "ScheduleRunsReportScheduleRunsEdgesNode",
    "ScheduleRunsReportScheduleRunsEdgesNodeJob",
    "ScheduleRunsReportScheduleRunsPageInfo",
    "SetReportScheduleEnabled",
    "SetReportScheduleEnabledSetReportScheduleEnabled",
    "UpdateReportSchedule",
    "UpdateReportScheduleUpdateReportSchedule",
    "Upload",
    "UpsertProduct",
    "UpsertProductUpsertProduct",
    "UserFields",
    "WatchJob",
    "WatchJobReportJob",
    "WatchJobs",
    "WatchJobsReportJobs",
]
