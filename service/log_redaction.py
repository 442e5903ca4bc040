"""Download links never reach a log line: the token in one is the right to fetch the file.

uvicorn logs every request's path at INFO (its access log), and anything else may
quote a path; each handler of the API's logging passes records through this filter.
"""

from __future__ import annotations

import logging
import re

from models.download_links import DOWNLOADS_PREFIX

REDACTED_TOKEN = "<redacted>"
_TOKEN = re.compile(re.escape(DOWNLOADS_PREFIX) + r"[^\s\"'?#]+")


def redact(text: str) -> str:
    return _TOKEN.sub(DOWNLOADS_PREFIX + REDACTED_TOKEN, text)


class RedactDownloadLinks(logging.Filter):
    """Rewrites a record's message and arguments; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                key: redact(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        return True
