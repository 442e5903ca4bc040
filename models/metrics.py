"""Every Prometheus metric the service exports: names, labels and buckets, declared once.

The API and the workers count what happens in their own process here; facts that
are the same for the whole service (queue depth, jobs running, workers alive) are
read from PostgreSQL when scraped instead (schema/http/metrics.py), so
every API replica reports the same truth and a restart loses nothing.

Label values come from our enums only (a job's kind, format and status, a
priority, a delivery's channel and status, an operation type), never ids,
emails or operation names, so the number of series stays fixed.

Several API processes behind one port (`reports api --workers N`) share one
directory of prometheus_client's multiprocess files (PROMETHEUS_MULTIPROC_DIR,
set by `reports api` before this module is first imported): any process's
/metrics then sums them all. Gauges count live processes only ("livesum").
"""

from __future__ import annotations

from enum import StrEnum

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

from models.deliveries import DeliveryChannel, DeliveryStatus
from models.job_snapshots import JobSnapshot
from models.report_jobs import TERMINAL_STATUSES, JobStatus, ReportFormat, ReportKind

# A `_created` series beside every counter and histogram doubles a scrape's size, and
# Prometheus does not read them from the text format.
disable_created_metrics()  # type: ignore[no-untyped-call]


class OperationType(StrEnum):
    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"
    # A document that could not be parsed, or that names no operation it holds.
    UNKNOWN = "unknown"


class OperationStatus(StrEnum):
    OK = "ok"
    ERROR = "error"


# Seconds. Jobs run from a fraction of a second (a small CSV) to JOB_TIME_LIMIT_SECONDS.
JOB_DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
# A job starts within milliseconds when a worker is free, minutes behind a backlog.
QUEUE_WAIT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

jobs_total = Counter(
    "reports_jobs_total",
    "Jobs that reached a terminal status (COMPLETED, FAILED, CANCELLED), by the process "
    "that moved them there.",
    ["kind", "format", "status"],
)
job_duration_seconds = Histogram(
    "reports_job_duration_seconds",
    "From an attempt's start (RUNNING) to COMPLETED or FAILED.",
    ["kind", "format"],
    buckets=JOB_DURATION_BUCKETS,
)
job_queue_wait_seconds = Histogram(
    "reports_job_queue_wait_seconds",
    "From a job being due (created, or its runAt) to its first attempt RUNNING.",
    buckets=QUEUE_WAIT_BUCKETS,
)
job_retries_total = Counter(
    "reports_job_retries_total",
    "Transient failures that scheduled another attempt.",
)


class TakeBackReason(StrEnum):
    # Its worker's heartbeat stopped (killed, crashed, partitioned, paused).
    WORKER_LOST = "worker_lost"
    # Its worker beats but stopped renewing the job's lease (stuck).
    LEASE_LAPSED = "lease_lapsed"


jobs_taken_back_total = Counter(
    "reports_jobs_taken_back_total",
    "RUNNING jobs taken back from a worker, to run again or to fail on their last attempt.",
    ["reason"],
)
job_events_published_total = Counter(
    "reports_job_events_published_total",
    "Job events Redis took (resends of events it did not take at first included).",
)
deliveries_total = Counter(
    "reports_deliveries_total",
    "Tries of a delivery, by what the delivery became: SENT, PENDING (tried again later) "
    "or FAILED (given up).",
    ["channel", "status"],
)
graphql_requests_total = Counter(
    "reports_graphql_requests_total",
    "GraphQL operations (HTTP and WebSocket); a subscription counts once, when its stream "
    "starts (ok) or when it is refused before (error).",
    ["operation_type", "status"],
)
graphql_request_duration_seconds = Histogram(
    "reports_graphql_request_duration_seconds",
    "A query's or mutation's execution; a subscription's until its stream is set up.",
    ["operation_type"],
    buckets=REQUEST_BUCKETS,
)
subscriptions_active = Gauge(
    "reports_subscriptions_active",
    "Job event subscriptions open (WebSocket and HTTP multipart).",
    multiprocess_mode="livesum",
)
websocket_connections_active = Gauge(
    "reports_websocket_connections_active",
    "WebSocket connections open on /graphql.",
    multiprocess_mode="livesum",
)

# Computed when scraped, by the API only, from PostgreSQL (schema/http/metrics.py): the
# same for every replica, so dashboards take max() across them rather than sum().
QUEUE_DEPTH = "reports_queue_depth"
QUEUE_DEPTH_HELP = "PENDING jobs that are due (not waiting for runAt or a retry's backoff)."
JOBS_RUNNING = "reports_jobs_running"
JOBS_RUNNING_HELP = "Jobs RUNNING across the service."
WORKERS_ALIVE = "reports_workers_alive"
WORKERS_ALIVE_HELP = "Workers whose heartbeat is recent."
DATABASE_UP = "reports_database_up"
DATABASE_UP_HELP = "1 if the last scrape could read PostgreSQL, else 0 (its series are left out)."

# Every series a dashboard may query, whether counted in a process or computed when
# scraped (tests/test_metrics.py holds deploy/'s dashboard to these).
SCRAPED_METRIC_NAMES = (QUEUE_DEPTH, JOBS_RUNNING, WORKERS_ALIVE, DATABASE_UP)


def _start_at_zero() -> None:
    """Every labelled series exists from the start, at 0: a rate() over a series that
    appears only with its first event misses that event."""
    for kind in ReportKind:
        for report_format in ReportFormat:
            job_duration_seconds.labels(kind.value, report_format.value)
            for status in TERMINAL_STATUSES:
                jobs_total.labels(kind.value, report_format.value, status.value)
    for reason in TakeBackReason:
        jobs_taken_back_total.labels(reason.value)
    for channel in DeliveryChannel:
        for delivery_status in DeliveryStatus:
            deliveries_total.labels(channel.value, delivery_status.value)
    for operation in OperationType:
        graphql_request_duration_seconds.labels(operation.value)
        for outcome in OperationStatus:
            graphql_requests_total.labels(operation.value, outcome.value)


_start_at_zero()


def observe_transition(job: JobSnapshot, *, arrived: bool) -> None:
    """Count a committed job change: a terminal outcome, or a first attempt starting.

    `arrived`: the job came to its status from another one (not a change within it,
    such as progress, or a finished job's deliveries).
    """
    if not arrived:
        return
    if job.status in TERMINAL_STATUSES:
        jobs_total.labels(job.kind.value, job.format.value, job.status.value).inc()
        # A cancelled job's started_at may be an earlier attempt's: not a run's length.
        if job.status is not JobStatus.CANCELLED and job.started_at and job.finished_at:
            job_duration_seconds.labels(job.kind.value, job.format.value).observe(
                (job.finished_at - job.started_at).total_seconds()
            )
    elif job.status is JobStatus.RUNNING and job.attempts == 1 and job.started_at:
        # Only a first attempt's due time is still on the row once it runs (a retry's
        # backoff end is cleared by the very transition that starts it).
        due = max(job.created_at, job.run_at) if job.run_at else job.created_at
        job_queue_wait_seconds.observe(max(0.0, (job.started_at - due).total_seconds()))


def observe_take_back(reason: TakeBackReason, jobs: int = 1) -> None:
    jobs_taken_back_total.labels(reason.value).inc(jobs)


def observe_delivery_try(channel: DeliveryChannel, outcome: DeliveryStatus) -> None:
    deliveries_total.labels(channel.value, outcome.value).inc()


def observe_operation(operation: OperationType, *, ok: bool, seconds: float) -> None:
    status = OperationStatus.OK if ok else OperationStatus.ERROR
    graphql_requests_total.labels(operation.value, status.value).inc()
    graphql_request_duration_seconds.labels(operation.value).observe(seconds)
