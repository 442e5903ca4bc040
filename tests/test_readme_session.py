"""The README's example session runs as written, twice in a row, so it cannot rot."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

from service.processes import PROJECT_ROOT

SESSION_SECONDS = 120


def example_session() -> str:
    """Every `sh` block of the README's "An example session" section, in order."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("\n## An example session\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    assert blocks, "the README's example session has no sh blocks"
    return "\n".join(blocks)


def a_clone_s_root(directory: Path) -> None:
    """Make `directory` look like the clone's root to the session: it runs
    `.venv/bin/python`, which the Quick start creates there."""
    python = directory / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    # A wrapper, not a symlink: through a symlink Python would not find its virtualenv.
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    reports = python.parent / "reports"
    reports.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m service.cli "$@"\n')
    reports.chmod(0o755)


async def test_the_readme_session_runs_twice_in_a_row(
    dev_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    """Against `reports dev`, as the README has it run (SQLite, the embedded defaults),
    from the folder it runs in, as the clone's root would be."""
    url, _ = dev_server
    a_clone_s_root(tmp_path)
    # As pasted into a shell, except that a failing command stops it here.
    script = "set -euo pipefail\n" + example_session()
    # At the clone's root, where `client` can be imported.
    # The CLI keeps its token in a config directory of the test's own.
    env = {
        **os.environ,
        "API": url,
        "PYTHONPATH": str(PROJECT_ROOT),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "REPORTS_TOKEN": "",
    }
    for run in ("first", "second"):
        session = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=SESSION_SECONDS,
        )
        output = f"stdout:\n{session.stdout}\nstderr:\n{session.stderr}"
        assert session.returncode == 0, f"the {run} run failed\n{output}"
        assert '"errors"' not in session.stdout, f"the {run} run got errors\n{output}"
        assert "COMPLETED 100%" in session.stderr, output
        assert "Imported 1 order (2 lines)." in session.stdout, output
        assert re.search(r"Downloaded \S+\.pdf", session.stdout), output
        assert session.stdout.rstrip().endswith(".eml"), f"the schedule's email\n{output}"
    downloads = await asyncio.to_thread(pdf_downloads, tmp_path)
    assert len(downloads) == 2, f"expected one download per run: {downloads}"


def pdf_downloads(directory: Path) -> list[Path]:
    """The session's downloads in `directory`, each checked to be a PDF."""
    downloads = sorted(directory.glob("tea-sales-*.pdf"))
    for path in downloads:
        assert path.read_bytes().startswith(b"%PDF"), f"{path.name} is not a PDF"
    return downloads
