"""Downloads are named after the report, and no two jobs' files share a name."""

from __future__ import annotations

import re

from client.graphql_client import ReportsClient
from models.download_links import DOWNLOAD_NAME_ID_DIGITS
from models.report_jobs import ReportFormat
from tests.support.factories import request_report
from tests.support.waiting import wait_for_job

# title slug, the day the job was requested, the start of its id, the format's extension
DOWNLOAD_NAME = re.compile(
    r'filename="tea-sales-(\d{4}-\d{2}-\d{2})-'
    rf'([0-9a-f]{{{DOWNLOAD_NAME_ID_DIGITS}}})\.{ReportFormat.CSV.extension}"'
)


async def test_same_title_same_day_downloads_under_different_names(
    user: ReportsClient, worker: None
) -> None:
    names = []
    for _ in range(2):
        requested = await request_report(user, kind="SALES", format="CSV", title="Tea sales")
        job = await wait_for_job(user, requested["id"])
        assert job["status"] == "COMPLETED", job
        response = await user.download(job["downloadUrl"])
        assert response.status_code == 200
        disposition = response.headers["content-disposition"]
        name = DOWNLOAD_NAME.search(disposition)
        assert name is not None, f"unexpected download name: {disposition}"
        day, short_id = name.groups()
        assert day == job["createdAt"][:10], "the day the report was requested"
        assert short_id == job["id"].replace("-", "")[:DOWNLOAD_NAME_ID_DIGITS], (
            "the start of the job's id"
        )
        names.append(name.group(0))
    assert names[0] != names[1], "curl -OJ would refuse to overwrite the first file"
