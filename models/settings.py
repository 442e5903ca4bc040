"""The one settings object, read once from the environment.

The API, the workers and the CLI all read their configuration here, so each
setting has exactly one name, one default and one parser.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEVELOPMENT_SECRET_KEY = "development-secret-key-change-me"
DEFAULT_SQLITE_PATH = Path("data") / "reports.sqlite3"


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe."""


def _int(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _float(environ: dict[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


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
    sweep_interval_seconds: float = 2.0
    # A PENDING job older than this that arq does not hold is enqueued again.
    pending_grace_seconds: float = 5.0
    report_retention_seconds: int = 7 * 24 * 3600
    cleanup_interval_seconds: float = 60.0
    # On SIGTERM a worker finishes its jobs within this time, else hands them back.
    shutdown_grace_seconds: float = 20.0
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # Test-only fault injection: the first N attempts of every job fail with a
    # simulated transient storage error; each chunk of rows is delayed.
    fault_transient_failures: int = 0
    fault_chunk_delay_seconds: float = 0.0

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        defaults = cls()
        settings = cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            redis_url=env.get("REDIS_URL") or defaults.redis_url,
            reports_dir=Path(env.get("REPORTS_DIR") or defaults.reports_dir),
            secret_key=env.get("SECRET_KEY") or defaults.secret_key,
            environment=env.get("ENVIRONMENT") or defaults.environment,
            queue_name=env.get("REPORTS_QUEUE") or defaults.queue_name,
            channel_prefix=env.get("REPORTS_CHANNEL_PREFIX") or defaults.channel_prefix,
            token_ttl_seconds=_int(env, "TOKEN_TTL_SECONDS", defaults.token_ttl_seconds),
            download_url_ttl_seconds=_int(
                env, "DOWNLOAD_URL_TTL_SECONDS", defaults.download_url_ttl_seconds
            ),
            pdf_max_rows=_int(env, "PDF_MAX_ROWS", defaults.pdf_max_rows),
            read_chunk_rows=_int(env, "READ_CHUNK_ROWS", defaults.read_chunk_rows),
            progress_interval_seconds=_float(
                env, "PROGRESS_INTERVAL_SECONDS", defaults.progress_interval_seconds
            ),
            worker_max_jobs=_int(env, "WORKER_MAX_JOBS", defaults.worker_max_jobs),
            worker_poll_delay_seconds=_float(
                env, "WORKER_POLL_DELAY_SECONDS", defaults.worker_poll_delay_seconds
            ),
            job_time_limit_seconds=_int(
                env, "JOB_TIME_LIMIT_SECONDS", defaults.job_time_limit_seconds
            ),
            max_attempts=_int(env, "MAX_ATTEMPTS", defaults.max_attempts),
            retry_base_delay_seconds=_float(
                env, "RETRY_BASE_DELAY_SECONDS", defaults.retry_base_delay_seconds
            ),
            retry_max_delay_seconds=_float(
                env, "RETRY_MAX_DELAY_SECONDS", defaults.retry_max_delay_seconds
            ),
            lease_seconds=_float(env, "LEASE_SECONDS", defaults.lease_seconds),
            sweep_interval_seconds=_float(
                env, "SWEEP_INTERVAL_SECONDS", defaults.sweep_interval_seconds
            ),
            pending_grace_seconds=_float(
                env, "PENDING_GRACE_SECONDS", defaults.pending_grace_seconds
            ),
            report_retention_seconds=_int(
                env, "REPORT_RETENTION_SECONDS", defaults.report_retention_seconds
            ),
            cleanup_interval_seconds=_float(
                env, "CLEANUP_INTERVAL_SECONDS", defaults.cleanup_interval_seconds
            ),
            shutdown_grace_seconds=_float(
                env, "SHUTDOWN_GRACE_SECONDS", defaults.shutdown_grace_seconds
            ),
            fault_transient_failures=_int(env, "FAULT_TRANSIENT_FAILURES", 0),
            fault_chunk_delay_seconds=_float(env, "FAULT_CHUNK_DELAY_SECONDS", 0.0),
            cors_origins=tuple(
                origin.strip()
                for origin in env.get("CORS_ORIGINS", "").split(",")
                if origin.strip()
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if not self.is_development and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise SettingsError(
                f"SECRET_KEY must be set outside development (ENVIRONMENT={self.environment})"
            )
        if len(self.secret_key) < 16:
            raise SettingsError("SECRET_KEY must be at least 16 characters long")
        for name in ("read_chunk_rows", "pdf_max_rows", "worker_max_jobs", "max_attempts"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name.upper()} must be at least 1")
        if self.lease_seconds < 3 * self.sweep_interval_seconds / 2:
            raise SettingsError("LEASE_SECONDS must be well above SWEEP_INTERVAL_SECONDS")
        if not self.is_development and (
            self.fault_transient_failures or self.fault_chunk_delay_seconds
        ):
            raise SettingsError("fault injection (FAULT_*) is for development and tests only")

    @property
    def lease_renew_seconds(self) -> float:
        """How often a worker renews its leases: a few times per lease."""
        return self.lease_seconds / 3

    @property
    def orphan_temp_age_seconds(self) -> float:
        """A temp file older than any attempt could run is left from a crash."""
        return 2 * self.job_time_limit_seconds + self.lease_seconds


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_environ()
