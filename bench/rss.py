"""Peak resident memory of a process and its children, sampled from /proc."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType

SAMPLE_SECONDS = 0.05
KIB = 1024


def tree_rss_bytes(pid: int) -> int:
    """VmRSS of `pid` and of every process below it (0 for those already gone)."""
    return sum(_rss(each) for each in [pid, *_descendants(pid)])


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * KIB
    return 0  # a zombie has no VmRSS line


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        found += children
        frontier += children
    return found


class PeakRss:
    """`with PeakRss(pid) as peak:` samples every 50 ms; `peak.bytes` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self.bytes = 0

    def __enter__(self) -> PeakRss:
        self.bytes = tree_rss_bytes(self._pid)
        self._sampler.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._sampler.join()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.bytes = max(self.bytes, tree_rss_bytes(self._pid))
