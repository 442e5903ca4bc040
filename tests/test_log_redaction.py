"""Download links and other secrets never reach the API's log: a link read from a log would
fetch the file. (tests/test_log_secrets.py searches a whole run's logs.)"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import httpx

from models.download_links import download_path
from models.settings import Settings
from service.log_redaction import REDACTED_TOKEN, RedactSecrets
from service.processes import running_api_process


def test_the_access_log_shows_no_download_token(settings: Settings, tmp_path: Path) -> None:
    link = download_path(settings.secret_key, uuid.uuid4(), uuid.uuid4(), 3600)
    token = link.rsplit("/", 1)[1]
    log = tmp_path / "api.log"
    # INFO: uvicorn's access log, which names every request's path.
    with (
        log.open("wb") as output,
        running_api_process(settings, output=output, log_level="INFO") as (url, _),
    ):
        assert httpx.get(url + link).status_code == 404, "no such job; the link is genuine"
        assert httpx.get(url + link + "?x=1").status_code == 404
    written = log.read_text()
    assert f"/downloads/{REDACTED_TOKEN}" in written, "the access log names the request"
    assert token not in written


def test_any_log_record_quoting_a_link_is_redacted() -> None:
    record = logging.LogRecord(
        "schema", logging.ERROR, __file__, 1, "failed %s at %s", ("GET", "/downloads/abc.def"), None
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == f"failed GET at /downloads/{REDACTED_TOKEN}"
    confirming = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '"GET /confirm/eyJh.sig HTTP/1.1" 200',
        (),
        None,
    )
    assert RedactSecrets().filter(confirming)
    assert confirming.getMessage() == f'"GET /confirm/{REDACTED_TOKEN} HTTP/1.1" 200'


def test_a_traceback_and_a_configured_secret_are_redacted_too() -> None:
    try:
        raise RuntimeError("cannot open postgres://reports:db-password@db/reports")
    except RuntimeError as exc:
        failure = (type(exc), exc, exc.__traceback__)
    record = logging.LogRecord(
        "schema", logging.ERROR, __file__, 1, "sending with %s", ("smtp-secret-1",), failure
    )
    assert RedactSecrets(secrets=["smtp-secret-1", "short"]).filter(record)
    assert record.getMessage() == f"sending with {REDACTED_TOKEN}"
    assert record.exc_text is not None
    assert f"postgres://reports:{REDACTED_TOKEN}@db/reports" in record.exc_text
    assert "db-password" not in record.exc_text
