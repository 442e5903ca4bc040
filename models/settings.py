"""The one settings object, read once from the environment.

The API, the workers and the CLI all read their configuration here, so each
setting has exactly one name, one default and one parser.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

DEVELOPMENT_SECRET_KEY = "development-secret-key-change-me"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
DEFAULT_SQLITE_PATH = Path("data") / "reports.sqlite3"
SMTPS_PORT = 465
# prometheus_client's own variable, not one of ours: `reports api --workers N` points it
# at a directory of its own, where its processes keep the counts /metrics sums.
METRICS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# S3 refuses a multipart upload's parts below this size (all but the last).
S3_MIN_PART_BYTES = 5 * 1024 * 1024
STORAGE_SCHEMES = ("file", "s3")


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe."""


def _parse(variable: str, raw: str, kind: str) -> Any:
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{variable} must be a number, got {raw!r}") from exc
    if kind == "Path":
        return Path(raw)
    if kind == "bool | None":
        if raw.lower() not in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
            raise SettingsError(f"{variable} must be true or false, got {raw!r}")
        return raw.lower() in {"true", "1", "yes", "on"}
    if kind == "tuple[str, ...]":
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    return raw


def _format(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite://{DEFAULT_SQLITE_PATH}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    reports_dir: Path = Path("data") / "reports"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    environment: str = "development"
    # arq queue name; tests and side-by-side deployments use their own.
    queue_name: str = "reports:queue"
    # Prefix of every Redis pub/sub channel this service publishes on.
    channel_prefix: str = "reports"
    token_ttl_seconds: int = 7 * 24 * 3600
    download_url_ttl_seconds: int = 3600
    pdf_max_rows: int = 20_000
    # Processes rendering PDF pages in parallel; 0: one per core, at least 2.
    pdf_render_processes: int = 0
    read_chunk_rows: int = 2_000
    progress_interval_seconds: float = 0.25
    worker_max_jobs: int = 20
    worker_poll_delay_seconds: float = 0.05
    # A job still running after this long fails as "timed out".
    job_time_limit_seconds: int = 600
    # Attempts per job before a transient failure becomes FAILED.
    max_attempts: int = 3
    # Retry n waits base * 2**(n-1) seconds (with jitter), at most the maximum.
    retry_base_delay_seconds: float = 2.0
    retry_max_delay_seconds: float = 300.0
    # A RUNNING job whose worker stops renewing its lease for this long is taken back.
    lease_seconds: float = 12.0
    # A worker not heard from for this long is dead: its RUNNING jobs are taken back at
    # once by any live worker (workers/heartbeat.py). Workers beat six times as often.
    worker_heartbeat_timeout_seconds: float = 3.0
    sweep_interval_seconds: float = 2.0
    # A PENDING job older than this that arq does not hold is enqueued again.
    pending_grace_seconds: float = 5.0
    report_retention_seconds: int = 7 * 24 * 3600
    cleanup_interval_seconds: float = 60.0
    # On SIGTERM a worker finishes its jobs within this time, else hands them back.
    shutdown_grace_seconds: float = 20.0
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # GraphiQL at /graphql and schema introspection; None: on in development only.
    graphiql: bool | None = None
    introspection: bool | None = None
    # Requests with a larger body are refused before they are parsed.
    max_request_bytes: int = 1_000_000
    # Per minute, sliding window.
    rate_limit_reports: int = 30
    rate_limit_logins: int = 10
    rate_limit_websockets: int = 30
    # Jobs of one account RUNNING at once across the service; the rest wait their turn
    # (workers/fair_share.py). About half of one worker's WORKER_MAX_JOBS.
    max_running_jobs_per_account: int = 10
    # URGENT jobs one account may have PENDING or RUNNING at once.
    urgent_jobs_per_account: int = 1
    # WebSocket connections per client address, signed in or not: a socket counts
    # from its handshake, before it says who it is.
    rate_limit_sockets_per_address: int = 120
    # A WebSocket that has not sent connection_init by then is closed (4408).
    connection_init_timeout_seconds: float = 10.0
    # Connections the API serves at once (WebSockets and HTTP); past it, 503.
    max_connections: int = 20_000
    # An idle HTTP keep-alive connection is closed after this.
    keep_alive_seconds: int = 5
    # A request's headers must arrive within this of its first byte (or of the
    # connection opening), its body within this of its headers; past it, 408.
    request_header_timeout_seconds: float = 10.0
    request_body_timeout_seconds: float = 30.0
    # Test-only fault injection: the first N attempts of every job fail with a
    # simulated transient storage error; each chunk of rows is delayed.
    fault_transient_failures: int = 0
    fault_chunk_delay_seconds: float = 0.0
    # Where finished report files are kept: file:///path, or s3://bucket/prefix for
    # several machines. Empty: REPORTS_DIR (workers/storage/).
    storage_url: str = ""
    # S3-compatible storage: another server than AWS (MinIO, Ceph, moto), and the
    # credentials; empty values leave them to botocore (its own variables, instance roles).
    s3_endpoint_url: str = ""
    aws_access_key_id: str = ""
    aws_secret_access_key: str = field(default="", repr=False)
    aws_region: str = ""
    # A report goes up in parts of this size as it is written (memory per upload: about two).
    s3_part_size_bytes: int = 8 * 1024 * 1024
    # A download on S3 redirects to a presigned URL valid this long.
    s3_presigned_url_seconds: int = 60
    # Benchmarks: a file where the worker appends its event loop's lag (workers/loop_lag.py).
    loop_lag_file: str = ""
    # Schedules: how often each worker looks for due occurrences.
    schedule_tick_seconds: float = 1.0
    # Test-only clock for schedules and delayed jobs (models/clock.py): the clock reads
    # TEST_CLOCK_START at the wall-clock moment TEST_CLOCK_ANCHOR (Unix seconds) and
    # runs TEST_CLOCK_RATE times as fast. Refused outside development.
    test_clock_start: str = ""
    test_clock_anchor: float = 0.0
    test_clock_rate: float = 1.0
    # Email delivery. No SMTP_HOST: messages are written to REPORTS_DIR/outbox/ as .eml.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    # None: STARTTLS unless the port is 25 or 1025 (plain relays and local test servers);
    # port 465 is TLS from the start instead.
    smtp_starttls: bool | None = None
    smtp_from: str = "Reports <reports@localhost>"
    # Absolute links (in emails and webhooks) start with this.
    public_url: str = "http://127.0.0.1:8000"
    # A larger report is sent as a signed link instead of an attachment.
    email_attachment_max_bytes: int = 10_000_000
    # A delivery is tried this many times, waiting base * 2**(n-1) s (with jitter,
    # at most 300 s) between tries, before it is FAILED.
    delivery_max_attempts: int = 6
    delivery_retry_base_seconds: float = 5.0
    webhook_timeout_seconds: float = 10.0
    # Outside development, webhook URLs must be https and resolve to public addresses;
    # hosts (names or CIDR ranges) listed here are allowed anyway (internal receivers).
    webhook_allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    # A worker serves its Prometheus metrics on this port (each worker on a machine needs
    # its own); 0: not served. The API serves its own at /metrics on its port.
    metrics_port: int = 0
    # The least level logged (uvicorn's too); one of LOG_LEVELS, any case.
    log_level: str = "INFO"
    # "json" (one object per line) or "text"; empty: text in development, else json.
    log_format: str = ""

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field_name, variable in ENVIRONMENT_VARIABLES.items():
            raw = env.get(variable, "")
            if raw != "":
                values[field_name] = _parse(variable, raw, FIELD_TYPES[field_name])
        settings = cls(**values)
        settings.validate()
        return settings

    def to_environ(self) -> dict[str, str]:
        """The environment variables that reproduce these settings in another process."""
        return {
            variable: _format(getattr(self, field_name))
            for field_name, variable in ENVIRONMENT_VARIABLES.items()
        }

    def validate(self) -> None:
        if not self.is_development and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise SettingsError(
                f"SECRET_KEY must be set outside development (ENVIRONMENT={self.environment})"
            )
        if len(self.secret_key) < 16:
            raise SettingsError("SECRET_KEY must be at least 16 characters long")
        for name in (
            "read_chunk_rows",
            "pdf_max_rows",
            "worker_max_jobs",
            "max_attempts",
            "delivery_max_attempts",
            "s3_part_size_bytes",
            "s3_presigned_url_seconds",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name.upper()} must be at least 1")
        for name in (
            "connection_init_timeout_seconds",
            "request_header_timeout_seconds",
            "request_body_timeout_seconds",
            "schedule_tick_seconds",
            "webhook_timeout_seconds",
            "test_clock_rate",
            "worker_heartbeat_timeout_seconds",
        ):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name.upper()} must be above 0")
        if not 0 <= self.metrics_port <= 65535:
            raise SettingsError("METRICS_PORT must be a port number (0: off)")
        if self.pdf_render_processes < 0:
            raise SettingsError("PDF_RENDER_PROCESSES must be 0 (one per core) or more")
        if self.lease_seconds < 3 * self.sweep_interval_seconds / 2:
            raise SettingsError("LEASE_SECONDS must be well above SWEEP_INTERVAL_SECONDS")
        if not self.is_development and (
            self.fault_transient_failures or self.fault_chunk_delay_seconds
        ):
            raise SettingsError("fault injection (FAULT_*) is for development and tests only")
        if not self.is_development and self.test_clock_start:
            raise SettingsError("TEST_CLOCK_START is for development and tests only")
        storage_location(self.storage_url_or_default)
        # Test servers (moto) can take smaller parts; S3 itself refuses them.
        if not self.is_development and self.s3_part_size_bytes < S3_MIN_PART_BYTES:
            raise SettingsError(f"S3_PART_SIZE_BYTES must be at least {S3_MIN_PART_BYTES}")
        if self.log_level.upper() not in LOG_LEVELS:
            raise SettingsError(
                f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}"
            )
        if self.log_format and self.log_format.lower() not in LOG_FORMATS:
            raise SettingsError(
                f"LOG_FORMAT must be {' or '.join(LOG_FORMATS)}, got {self.log_format!r}"
            )

    @property
    def logs_as_json(self) -> bool:
        """One JSON object per line: what log collectors read, so the default outside
        development; people at a terminal read text."""
        if self.log_format:
            return self.log_format.lower() == "json"
        return not self.is_development

    @property
    def graphiql_enabled(self) -> bool:
        return self.is_development if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.is_development if self.introspection is None else self.introspection

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """Browser origins allowed to call the API (CORS) and open WebSockets.

        Any origin in development, so a front end on another local port works;
        none elsewhere unless CORS_ORIGINS lists them.
        """
        if self.cors_origins:
            return self.cors_origins
        return ("*",) if self.is_development else ()

    @property
    def smtp_uses_implicit_tls(self) -> bool:
        """Port 465 (SMTPS) speaks TLS from the first byte; STARTTLS would never work."""
        return self.smtp_port == SMTPS_PORT

    @property
    def smtp_uses_starttls(self) -> bool:
        if self.smtp_uses_implicit_tls:
            return False
        if self.smtp_starttls is not None:
            return self.smtp_starttls
        return self.smtp_port not in {25, 1025}

    @property
    def outbox_dir(self) -> Path:
        """Where emails go when there is no SMTP server (development)."""
        return self.reports_dir / "outbox"

    @property
    def heartbeat_interval_seconds(self) -> float:
        """How often a worker beats, and looks for dead workers' jobs: a few missed beats
        (a busy machine, a slow query) must not make a live worker look dead."""
        return self.worker_heartbeat_timeout_seconds / 6

    @property
    def storage_url_or_default(self) -> str:
        """STORAGE_URL, or REPORTS_DIR as a file:// URL when it is unset."""
        return self.storage_url or self.reports_dir.resolve().as_uri()

    @property
    def lease_renew_seconds(self) -> float:
        """How often a worker renews its leases: a few times per lease."""
        return self.lease_seconds / 3

    @property
    def orphan_temp_age_seconds(self) -> float:
        """A temp file older than any attempt could run is left from a crash."""
        return 2 * self.job_time_limit_seconds + self.lease_seconds


# Each setting's environment variable: the one place that names them.
ENVIRONMENT_VARIABLES: dict[str, str] = {
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
    "reports_dir": "REPORTS_DIR",
    "secret_key": "SECRET_KEY",
    "environment": "ENVIRONMENT",
    "queue_name": "REPORTS_QUEUE",
    "channel_prefix": "REPORTS_CHANNEL_PREFIX",
    "token_ttl_seconds": "TOKEN_TTL_SECONDS",
    "download_url_ttl_seconds": "DOWNLOAD_URL_TTL_SECONDS",
    "pdf_max_rows": "PDF_MAX_ROWS",
    "pdf_render_processes": "PDF_RENDER_PROCESSES",
    "read_chunk_rows": "READ_CHUNK_ROWS",
    "progress_interval_seconds": "PROGRESS_INTERVAL_SECONDS",
    "worker_max_jobs": "WORKER_MAX_JOBS",
    "worker_poll_delay_seconds": "WORKER_POLL_DELAY_SECONDS",
    "job_time_limit_seconds": "JOB_TIME_LIMIT_SECONDS",
    "max_attempts": "MAX_ATTEMPTS",
    "retry_base_delay_seconds": "RETRY_BASE_DELAY_SECONDS",
    "retry_max_delay_seconds": "RETRY_MAX_DELAY_SECONDS",
    "lease_seconds": "LEASE_SECONDS",
    "worker_heartbeat_timeout_seconds": "WORKER_HEARTBEAT_TIMEOUT_SECONDS",
    "sweep_interval_seconds": "SWEEP_INTERVAL_SECONDS",
    "pending_grace_seconds": "PENDING_GRACE_SECONDS",
    "report_retention_seconds": "REPORT_RETENTION_SECONDS",
    "cleanup_interval_seconds": "CLEANUP_INTERVAL_SECONDS",
    "shutdown_grace_seconds": "SHUTDOWN_GRACE_SECONDS",
    "cors_origins": "CORS_ORIGINS",
    "graphiql": "GRAPHIQL",
    "introspection": "INTROSPECTION",
    "max_request_bytes": "MAX_REQUEST_BYTES",
    "rate_limit_reports": "RATE_LIMIT_REPORTS_PER_MINUTE",
    "rate_limit_logins": "RATE_LIMIT_LOGINS_PER_MINUTE",
    "rate_limit_websockets": "RATE_LIMIT_WEBSOCKETS_PER_MINUTE",
    "rate_limit_sockets_per_address": "RATE_LIMIT_SOCKETS_PER_ADDRESS_PER_MINUTE",
    "max_running_jobs_per_account": "MAX_RUNNING_JOBS_PER_ACCOUNT",
    "urgent_jobs_per_account": "URGENT_JOBS_PER_ACCOUNT",
    "connection_init_timeout_seconds": "CONNECTION_INIT_TIMEOUT_SECONDS",
    "max_connections": "MAX_CONNECTIONS",
    "keep_alive_seconds": "KEEP_ALIVE_SECONDS",
    "request_header_timeout_seconds": "REQUEST_HEADER_TIMEOUT_SECONDS",
    "request_body_timeout_seconds": "REQUEST_BODY_TIMEOUT_SECONDS",
    "fault_transient_failures": "FAULT_TRANSIENT_FAILURES",
    "fault_chunk_delay_seconds": "FAULT_CHUNK_DELAY_SECONDS",
    "loop_lag_file": "LOOP_LAG_FILE",
    "schedule_tick_seconds": "SCHEDULE_TICK_SECONDS",
    "test_clock_start": "TEST_CLOCK_START",
    "test_clock_anchor": "TEST_CLOCK_ANCHOR",
    "test_clock_rate": "TEST_CLOCK_RATE",
    "smtp_host": "SMTP_HOST",
    "smtp_port": "SMTP_PORT",
    "smtp_username": "SMTP_USERNAME",
    "smtp_password": "SMTP_PASSWORD",
    "smtp_starttls": "SMTP_STARTTLS",
    "smtp_from": "SMTP_FROM",
    "public_url": "PUBLIC_URL",
    "email_attachment_max_bytes": "EMAIL_ATTACHMENT_MAX_BYTES",
    "delivery_max_attempts": "DELIVERY_MAX_ATTEMPTS",
    "delivery_retry_base_seconds": "DELIVERY_RETRY_BASE_SECONDS",
    "webhook_timeout_seconds": "WEBHOOK_TIMEOUT_SECONDS",
    "webhook_allowed_hosts": "WEBHOOK_ALLOWED_HOSTS",
    "metrics_port": "METRICS_PORT",
    "log_level": "LOG_LEVEL",
    "log_format": "LOG_FORMAT",
    "storage_url": "STORAGE_URL",
    "s3_endpoint_url": "S3_ENDPOINT_URL",
    "aws_access_key_id": "AWS_ACCESS_KEY_ID",
    "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
    "aws_region": "AWS_REGION",
    "s3_part_size_bytes": "S3_PART_SIZE_BYTES",
    "s3_presigned_url_seconds": "S3_PRESIGNED_URL_SECONDS",
}
FIELD_TYPES: dict[str, str] = {f.name: str(f.type) for f in fields(Settings)}
assert set(ENVIRONMENT_VARIABLES) == set(FIELD_TYPES), "every setting has one variable"


def storage_location(url: str) -> tuple[str, str, str]:
    """(scheme, where, prefix) of a STORAGE_URL: ("file", "/srv/reports", "") or
    ("s3", "bucket", "reports/"); SettingsError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in STORAGE_SCHEMES:
        raise SettingsError(
            f"STORAGE_URL must start with file:// or s3://, got {parts.scheme or url!r}"
        )
    if parts.query or parts.fragment:
        raise SettingsError("STORAGE_URL takes no query or fragment")
    if parts.scheme == "file":
        if parts.netloc not in {"", "localhost"} or not parts.path.startswith("/"):
            raise SettingsError("STORAGE_URL must be file:///absolute/path")
        return "file", unquote(parts.path), ""
    if not parts.netloc:
        raise SettingsError("STORAGE_URL must name a bucket: s3://bucket or s3://bucket/prefix")
    prefix = parts.path.strip("/")
    return "s3", parts.netloc, f"{prefix}/" if prefix else ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_environ()
