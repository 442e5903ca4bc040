"""Real `reports` processes (API under uvicorn, worker) for tests and benchmarks, on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis

from models.redis_keys import arq_health_check_key
from models.settings import Settings
from service.embedded_redis import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def service_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a `reports` process use these settings."""
    env = dict(os.environ)
    env.update(settings.to_environ())
    env["LOG_LEVEL"] = "WARNING"
    return env


def migrate(settings: Settings) -> None:
    """`reports migrate` in its own process (migrating in-process would replace this
    process's Tortoise configuration)."""
    subprocess.run(
        [sys.executable, "-m", "service.cli", "migrate"],
        env=service_env(settings),
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_worker(settings: Settings, timeout: float = 30) -> Iterator[subprocess.Popen[bytes]]:
    """A real `reports worker` process, ready once it has written its health check."""
    health_key = arq_health_check_key(settings.queue_name)
    client = redis.Redis.from_url(settings.redis_url)
    client.delete(health_key)
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"], env=service_env(settings), cwd=PROJECT_ROOT
    )
    try:
        deadline = time.monotonic() + timeout
        while not client.exists(health_key):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start")
            time.sleep(0.05)
        yield process
    finally:
        _stop(process)
        client.close()


@contextmanager
def running_api(settings: Settings, timeout: float = 30) -> Iterator[str]:
    """A real `reports api` (uvicorn) process; yields its base URL."""
    with running_api_process(settings, timeout) as (base_url, _):
        yield base_url


@contextmanager
def running_api_process(
    settings: Settings, timeout: float = 30
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `reports api` (uvicorn) process; yields its base URL and the process."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "api", "--port", str(port)],
        env=service_env(settings),
        cwd=PROJECT_ROOT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API did not start")
            time.sleep(0.1)
        yield base_url, process
    finally:
        _stop(process)
