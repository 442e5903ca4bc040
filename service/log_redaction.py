"""Signed links never reach a log line: a download link's token is the right to fetch
the file, a confirmation link's the right to confirm a sign-up.

uvicorn logs every request's path at INFO (its access log), and anything else may
quote a path; each handler of the API's logging passes records through this filter.
"""

from __future__ import annotations

import logging
import re

from models.download_links import DOWNLOADS_PREFIX
from models.sign_up_links import CONFIRM_PREFIX

REDACTED_TOKEN = "<redacted>"
# Paths whose last part is a signed token: a download, a sign-up's confirmation.
_TOKEN = re.compile(
    "(" + "|".join(map(re.escape, (DOWNLOADS_PREFIX, CONFIRM_PREFIX))) + r")[^\s\"'?#]+"
)


def redact(text: str) -> str:
    return _TOKEN.sub(r"\1" + REDACTED_TOKEN, text)


class RedactSignedLinks(logging.Filter):
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
