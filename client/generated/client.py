from collections.abc import AsyncIterator
from typing import Any, Optional, Union

from .async_base_client import AsyncBaseClient
from .base_model import UNSET, UnsetType
from .cancel_order import CancelOrder
from .cancel_report import CancelReport
from .complete_order import CompleteOrder
from .create_order import CreateOrder
from .create_report_schedule import CreateReportSchedule
from .delete_report import DeleteReport
from .delete_report_schedule import DeleteReportSchedule
from .enums import JobStatus, OrderStatus, ReportKind
from .input_types import (
    CreateOrderInput,
    ProductInput,
    ReportScheduleInput,
    RequestReportInput,
)
from .login import Login
from .logout import Logout
from .me import Me
from .order import Order
from .orders import Orders
from .products import Products
from .regenerate_report import RegenerateReport
from .register import Register
from .report_job import ReportJob
from .report_jobs import ReportJobs
from .report_schedule import ReportSchedule
from .report_schedules import ReportSchedules
from .report_stats import ReportStats
from .request_report import RequestReport
from .retry_report import RetryReport
from .rotate_webhook_secret import RotateWebhookSecret
from .run_report_schedule_now import RunReportScheduleNow
from .schedule_runs import ScheduleRuns
from .set_report_schedule_enabled import SetReportScheduleEnabled
from .update_report_schedule import UpdateReportSchedule
from .upsert_product import UpsertProduct
from .watch_job import WatchJob
from .watch_jobs import WatchJobs


def gql(q: str) -> str:
    return q


class GeneratedClient(AsyncBaseClient):
    async def register(self, email: str, password: str, **kwargs: Any) -> Register:
        query = gql("""
            mutation Register($email: String!, $password: String!) {
              signUp: register(email: $email, password: $password) {
                token
                user {
                  ...UserFields
                }
              }
            }

            fragment UserFields on User {
              id
              email
            }
            """)
        variables: dict[str, object] = {"email": email, "password": password}
        response = await self.execute(
            query=query, operation_name="Register", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Register.model_validate(data)

    async def login(self, email: str, password: str, **kwargs: Any) -> Login:
        query = gql("""
            mutation Login($email: String!, $password: String!) {
              login(email: $email, password: $password) {
                token
                user {
                  ...UserFields
                }
              }
            }

            fragment UserFields on User {
              id
              email
            }
            """)
        variables: dict[str, object] = {"email": email, "password": password}
        response = await self.execute(
            query=query, operation_name="Login", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Login.model_validate(data)

    async def logout(self, all_sessions: bool, **kwargs: Any) -> Logout:
        query = gql("""
            mutation Logout($allSessions: Boolean! = false) {
              logout(allSessions: $allSessions)
            }
            """)
        variables: dict[str, object] = {"allSessions": all_sessions}
        response = await self.execute(
            query=query, operation_name="Logout", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Logout.model_validate(data)

    async def rotate_webhook_secret(self, **kwargs: Any) -> RotateWebhookSecret:
        query = gql("""
            mutation RotateWebhookSecret {
              rotateWebhookSecret
            }
            """)
        variables: dict[str, object] = {}
        response = await self.execute(
            query=query,
            operation_name="RotateWebhookSecret",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return RotateWebhookSecret.model_validate(data)

    async def me(self, **kwargs: Any) -> Me:
        query = gql("""
            query Me {
              me {
                ...UserFields
                webhookSecret
              }
            }

            fragment UserFields on User {
              id
              email
            }
            """)
        variables: dict[str, object] = {}
        response = await self.execute(
            query=query, operation_name="Me", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Me.model_validate(data)

    async def products(
        self, first: int, after: Union[Optional[str], UnsetType] = UNSET, **kwargs: Any
    ) -> Products:
        query = gql("""
            query Products($first: Int! = 50, $after: String) {
              products(first: $first, after: $after) {
                totalCount
                pageInfo {
                  ...PageFields
                }
                edges {
                  node {
                    ...ProductFields
                  }
                }
              }
            }

            fragment PageFields on PageInfo {
              hasNextPage
              endCursor
            }

            fragment ProductFields on Product {
              id
              sku
              name
              price
              stock
            }
            """)
        variables: dict[str, object] = {"first": first, "after": after}
        response = await self.execute(
            query=query, operation_name="Products", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Products.model_validate(data)

    async def upsert_product(self, input: ProductInput, **kwargs: Any) -> UpsertProduct:
        query = gql("""
            mutation UpsertProduct($input: ProductInput!) {
              upsertProduct(input: $input) {
                ...ProductFields
              }
            }

            fragment ProductFields on Product {
              id
              sku
              name
              price
              stock
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query, operation_name="UpsertProduct", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return UpsertProduct.model_validate(data)

    async def order(self, id: str, **kwargs: Any) -> Order:
        query = gql("""
            query Order($id: ID!) {
              order(id: $id) {
                ...OrderFields
              }
            }

            fragment OrderFields on Order {
              id
              customerName
              customerEmail
              status
              total
              createdAt
              completedAt
              items {
                quantity
                unitPrice
                lineTotal
                product {
                  ...ProductFields
                }
              }
            }

            fragment ProductFields on Product {
              id
              sku
              name
              price
              stock
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="Order", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Order.model_validate(data)

    async def orders(
        self,
        first: int,
        status: Union[Optional[OrderStatus], UnsetType] = UNSET,
        after: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> Orders:
        query = gql("""
            query Orders($status: OrderStatus, $first: Int! = 50, $after: String) {
              orders(status: $status, first: $first, after: $after) {
                totalCount
                pageInfo {
                  ...PageFields
                }
                edges {
                  node {
                    ...OrderFields
                  }
                }
              }
            }

            fragment OrderFields on Order {
              id
              customerName
              customerEmail
              status
              total
              createdAt
              completedAt
              items {
                quantity
                unitPrice
                lineTotal
                product {
                  ...ProductFields
                }
              }
            }

            fragment PageFields on PageInfo {
              hasNextPage
              endCursor
            }

            fragment ProductFields on Product {
              id
              sku
              name
              price
              stock
            }
            """)
        variables: dict[str, object] = {
            "status": status,
            "first": first,
            "after": after,
        }
        response = await self.execute(
            query=query, operation_name="Orders", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Orders.model_validate(data)

    async def create_order(self, input: CreateOrderInput, **kwargs: Any) -> CreateOrder:
        query = gql("""
            mutation CreateOrder($input: CreateOrderInput!) {
              createOrder(input: $input) {
                ...OrderFields
              }
            }

            fragment OrderFields on Order {
              id
              customerName
              customerEmail
              status
              total
              createdAt
              completedAt
              items {
                quantity
                unitPrice
                lineTotal
                product {
                  ...ProductFields
                }
              }
            }

            fragment ProductFields on Product {
              id
              sku
              name
              price
              stock
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query, operation_name="CreateOrder", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateOrder.model_validate(data)

    async def complete_order(self, id: str, **kwargs: Any) -> CompleteOrder:
        query = gql("""
            mutation CompleteOrder($id: ID!) {
              completeOrder(id: $id) {
                ...OrderFields
              }
            }

            fragment OrderFields on Order {
              id
              customerName
              customerEmail
              status
              total
              createdAt
              completedAt
              items {
                quantity
                unitPrice
                lineTotal
                product {
                  ...ProductFields
                }
              }
            }

            fragment ProductFields on Product {
              id
              sku
              name
              price
              stock
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="CompleteOrder", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CompleteOrder.model_validate(data)

    async def cancel_order(self, id: str, **kwargs: Any) -> CancelOrder:
        query = gql("""
            mutation CancelOrder($id: ID!) {
              cancelOrder(id: $id) {
                ...OrderFields
              }
            }

            fragment OrderFields on Order {
              id
              customerName
              customerEmail
              status
              total
              createdAt
              completedAt
              items {
                quantity
                unitPrice
                lineTotal
                product {
                  ...ProductFields
                }
              }
            }

            fragment ProductFields on Product {
              id
              sku
              name
              price
              stock
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="CancelOrder", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CancelOrder.model_validate(data)

    async def report_job(self, id: str, **kwargs: Any) -> ReportJob:
        query = gql("""
            query ReportJob($id: ID!) {
              reportJob(id: $id) {
                ...JobFields
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="ReportJob", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ReportJob.model_validate(data)

    async def report_jobs(
        self,
        first: int,
        status: Union[Optional[JobStatus], UnsetType] = UNSET,
        kind: Union[Optional[ReportKind], UnsetType] = UNSET,
        after: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ReportJobs:
        query = gql("""
            query ReportJobs($status: JobStatus, $kind: ReportKind, $first: Int! = 50, $after: String) {
              reportJobs(status: $status, kind: $kind, first: $first, after: $after) {
                totalCount
                pageInfo {
                  ...PageFields
                }
                edges {
                  node {
                    ...JobFields
                  }
                }
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }

            fragment PageFields on PageInfo {
              hasNextPage
              endCursor
            }
            """)
        variables: dict[str, object] = {
            "status": status,
            "kind": kind,
            "first": first,
            "after": after,
        }
        response = await self.execute(
            query=query, operation_name="ReportJobs", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ReportJobs.model_validate(data)

    async def report_stats(self, **kwargs: Any) -> ReportStats:
        query = gql("""
            query ReportStats {
              reportStats {
                jobsByStatus {
                  status
                  count
                }
                queueDepth {
                  priority
                  count
                }
                delayedDepth {
                  priority
                  count
                }
                jobsRunning
                completedLastHour
                meanDurationSeconds
                p95DurationSeconds
                workersAlive
              }
            }
            """)
        variables: dict[str, object] = {}
        response = await self.execute(
            query=query, operation_name="ReportStats", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ReportStats.model_validate(data)

    async def request_report(
        self, input: RequestReportInput, **kwargs: Any
    ) -> RequestReport:
        query = gql("""
            mutation RequestReport($input: RequestReportInput!) {
              requestReport(input: $input) {
                ...JobFields
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query, operation_name="RequestReport", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RequestReport.model_validate(data)

    async def regenerate_report(self, id: str, **kwargs: Any) -> RegenerateReport:
        query = gql("""
            mutation RegenerateReport($id: ID!) {
              regenerateReport(id: $id) {
                ...JobFields
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query,
            operation_name="RegenerateReport",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return RegenerateReport.model_validate(data)

    async def cancel_report(self, id: str, **kwargs: Any) -> CancelReport:
        query = gql("""
            mutation CancelReport($id: ID!) {
              cancelReport(id: $id) {
                ...JobFields
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="CancelReport", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CancelReport.model_validate(data)

    async def retry_report(self, id: str, **kwargs: Any) -> RetryReport:
        query = gql("""
            mutation RetryReport($id: ID!) {
              retryReport(id: $id) {
                ...JobFields
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="RetryReport", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RetryReport.model_validate(data)

    async def delete_report(self, id: str, **kwargs: Any) -> DeleteReport:
        query = gql("""
            mutation DeleteReport($id: ID!) {
              deleteReport(id: $id)
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="DeleteReport", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteReport.model_validate(data)

    async def watch_job(self, id: str, **kwargs: Any) -> AsyncIterator[WatchJob]:
        query = gql("""
            subscription WatchJob($id: ID!) {
              reportJob(id: $id) {
                ...JobFields
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        async for data in self.execute_ws(
            query=query, operation_name="WatchJob", variables=variables, **kwargs
        ):
            yield WatchJob.model_validate(data)

    async def watch_jobs(
        self, status: Union[Optional[list[JobStatus]], UnsetType] = UNSET, **kwargs: Any
    ) -> AsyncIterator[WatchJobs]:
        query = gql("""
            subscription WatchJobs($status: [JobStatus!]) {
              reportJobs(status: $status) {
                ...JobFields
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"status": status}
        async for data in self.execute_ws(
            query=query, operation_name="WatchJobs", variables=variables, **kwargs
        ):
            yield WatchJobs.model_validate(data)

    async def report_schedule(self, id: str, **kwargs: Any) -> ReportSchedule:
        query = gql("""
            query ReportSchedule($id: ID!) {
              reportSchedule(id: $id) {
                ...ScheduleFields
              }
            }

            fragment ScheduleFields on ReportSchedule {
              id
              name
              kind
              format
              priority
              title
              cron
              timeZone
              period
              enabled
              deliverTo {
                channel
                target
              }
              nextRunAt
              lastRunAt
              createdAt
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="ReportSchedule", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ReportSchedule.model_validate(data)

    async def report_schedules(
        self, first: int, after: Union[Optional[str], UnsetType] = UNSET, **kwargs: Any
    ) -> ReportSchedules:
        query = gql("""
            query ReportSchedules($first: Int! = 50, $after: String) {
              reportSchedules(first: $first, after: $after) {
                totalCount
                pageInfo {
                  ...PageFields
                }
                edges {
                  node {
                    ...ScheduleFields
                  }
                }
              }
            }

            fragment PageFields on PageInfo {
              hasNextPage
              endCursor
            }

            fragment ScheduleFields on ReportSchedule {
              id
              name
              kind
              format
              priority
              title
              cron
              timeZone
              period
              enabled
              deliverTo {
                channel
                target
              }
              nextRunAt
              lastRunAt
              createdAt
            }
            """)
        variables: dict[str, object] = {"first": first, "after": after}
        response = await self.execute(
            query=query, operation_name="ReportSchedules", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ReportSchedules.model_validate(data)

    async def schedule_runs(
        self,
        id: str,
        first: int,
        after: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ScheduleRuns:
        query = gql("""
            query ScheduleRuns($id: ID!, $first: Int! = 20, $after: String) {
              reportSchedule(id: $id) {
                id
                runs(first: $first, after: $after) {
                  totalCount
                  pageInfo {
                    ...PageFields
                  }
                  edges {
                    node {
                      id
                      scheduledFor
                      createdAt
                      job {
                        ...JobFields
                      }
                    }
                  }
                }
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }

            fragment PageFields on PageInfo {
              hasNextPage
              endCursor
            }
            """)
        variables: dict[str, object] = {"id": id, "first": first, "after": after}
        response = await self.execute(
            query=query, operation_name="ScheduleRuns", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ScheduleRuns.model_validate(data)

    async def create_report_schedule(
        self, input: ReportScheduleInput, **kwargs: Any
    ) -> CreateReportSchedule:
        query = gql("""
            mutation CreateReportSchedule($input: ReportScheduleInput!) {
              createReportSchedule(input: $input) {
                ...ScheduleFields
              }
            }

            fragment ScheduleFields on ReportSchedule {
              id
              name
              kind
              format
              priority
              title
              cron
              timeZone
              period
              enabled
              deliverTo {
                channel
                target
              }
              nextRunAt
              lastRunAt
              createdAt
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query,
            operation_name="CreateReportSchedule",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return CreateReportSchedule.model_validate(data)

    async def update_report_schedule(
        self, id: str, input: ReportScheduleInput, **kwargs: Any
    ) -> UpdateReportSchedule:
        query = gql("""
            mutation UpdateReportSchedule($id: ID!, $input: ReportScheduleInput!) {
              updateReportSchedule(id: $id, input: $input) {
                ...ScheduleFields
              }
            }

            fragment ScheduleFields on ReportSchedule {
              id
              name
              kind
              format
              priority
              title
              cron
              timeZone
              period
              enabled
              deliverTo {
                channel
                target
              }
              nextRunAt
              lastRunAt
              createdAt
            }
            """)
        variables: dict[str, object] = {"id": id, "input": input}
        response = await self.execute(
            query=query,
            operation_name="UpdateReportSchedule",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return UpdateReportSchedule.model_validate(data)

    async def set_report_schedule_enabled(
        self, id: str, enabled: bool, **kwargs: Any
    ) -> SetReportScheduleEnabled:
        query = gql("""
            mutation SetReportScheduleEnabled($id: ID!, $enabled: Boolean!) {
              setReportScheduleEnabled(id: $id, enabled: $enabled) {
                ...ScheduleFields
              }
            }

            fragment ScheduleFields on ReportSchedule {
              id
              name
              kind
              format
              priority
              title
              cron
              timeZone
              period
              enabled
              deliverTo {
                channel
                target
              }
              nextRunAt
              lastRunAt
              createdAt
            }
            """)
        variables: dict[str, object] = {"id": id, "enabled": enabled}
        response = await self.execute(
            query=query,
            operation_name="SetReportScheduleEnabled",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return SetReportScheduleEnabled.model_validate(data)

    async def run_report_schedule_now(
        self, id: str, **kwargs: Any
    ) -> RunReportScheduleNow:
        query = gql("""
            mutation RunReportScheduleNow($id: ID!) {
              runReportScheduleNow(id: $id) {
                id
                scheduledFor
                createdAt
                job {
                  ...JobFields
                }
              }
            }

            fragment DeliveryFields on Delivery {
              channel
              target
              status
              attempts
              error
              sentAt
            }

            fragment JobFields on ReportJob {
              id
              title
              kind
              format
              status
              progress
              message
              priority
              attempts
              error
              rowCount
              fileSize
              summary
              dateFrom
              dateTo
              createdAt
              startedAt
              finishedAt
              expiresAt
              version
              runAt
              downloadUrl
              schedule {
                id
                name
              }
              deliveries {
                ...DeliveryFields
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query,
            operation_name="RunReportScheduleNow",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return RunReportScheduleNow.model_validate(data)

    async def delete_report_schedule(
        self, id: str, **kwargs: Any
    ) -> DeleteReportSchedule:
        query = gql("""
            mutation DeleteReportSchedule($id: ID!) {
              deleteReportSchedule(id: $id)
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query,
            operation_name="DeleteReportSchedule",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return DeleteReportSchedule.model_validate(data)
