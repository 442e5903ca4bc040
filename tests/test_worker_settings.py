"""`arq workers.WorkerSettings` works, and building it opens nothing."""

from __future__ import annotations

import subprocess
import sys

from client.processes import PROJECT_ROOT


def test_arq_can_import_worker_settings_from_the_environment() -> None:
    probe = (
        "from arq.utils import import_string;"
        "s = import_string('workers.WorkerSettings');"
        "print(s.queue_name, [f.name for f in s.functions], s.allow_abort_jobs)"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        env={"REPORTS_QUEUE": "probe-queue", "REDIS_URL": "redis://127.0.0.1:1/0", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.split() == ["probe-queue", "['generate_report']", "True"]
