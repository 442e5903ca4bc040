"""A worker's Prometheus metrics, served on METRICS_PORT for the process's whole life.

prometheus_client's server runs in a thread of its own, off the event loop, and
outlives the worker's runs (a run restarts after a Redis outage; the process and
its counts go on). A worker serves its own counts only: the service's facts
(queue depth, jobs running, workers alive) are the API's /metrics.
"""

from __future__ import annotations

from prometheus_client import start_http_server

# Scraped from other machines, like the API.
METRICS_HOST = "0.0.0.0"


class MetricsPortUnavailableError(Exception):
    """METRICS_PORT cannot be listened on (taken, most likely by another worker)."""


def serve_worker_metrics(port: int) -> None:
    """Serve this process's metrics on `port` from now on; 0: do nothing."""
    if not port:
        return
    try:
        start_http_server(port, addr=METRICS_HOST)
    except OSError as exc:
        raise MetricsPortUnavailableError(
            f"METRICS_PORT {port}: {exc.strerror or exc}; each worker on a machine needs a "
            "port of its own (0 turns the metrics off)"
        ) from exc
