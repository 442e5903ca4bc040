"""Report files on S3-compatible storage (moto's server, a real HTTP server): the whole
flow with real API and worker processes, multipart uploads, redirects to presigned
URLs, expiry, deletion, crash clean-up, and STORAGE_URL refused when it is wrong."""

from __future__ import annotations

import csv
import io
import re
import signal
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from models.settings import Settings, SettingsError
from schema.http.downloads import EXPIRED_MESSAGE
from service.processes import running_worker
from tests.support.documents import DELETE_REPORT
from tests.support.factories import add_product, completed_order, request_report, seed_line_items
from tests.support.files import report_files, temp_files
from tests.support.object_storage import (
    moto_server,
    new_bucket,
    object_keys,
    s3_client,
    s3_settings,
    upload_keys,
)
from tests.support.stacks import SignedInClientFactory, StackFactory, fast_recovery, signed_in
from tests.support.streams import watching
from tests.support.waiting import eventually, progress_at_least, wait_for_job

# Small parts (moto takes them; S3 wants 5 MiB), so a report of a few hundred KB goes
# up in many, as a big one does with the default 8 MiB.
PART_BYTES = 16 * 1024
ROWS = 1200


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
async def bucket(s3_endpoint: str) -> AsyncIterator[str]:
    async with s3_client(s3_endpoint) as client:
        yield await new_bucket(client)


async def test_reports_on_s3_are_uploaded_in_parts_downloaded_by_redirect_and_deleted(
    stack: StackFactory, s3_endpoint: str, bucket: str
) -> None:
    lab = await stack(
        "s3-flow",
        **fast_recovery(**s3_settings(s3_endpoint, bucket, s3_part_size_bytes=PART_BYTES)),
    )
    async with signed_in(lab) as client, s3_client(s3_endpoint) as s3:
        await seed_line_items(client, ROWS)
        csv_job = await request_report(client, kind="ORDERS", format="CSV", title="Bulk")
        pdf_job = await request_report(client, kind="SALES", format="PDF", title="Sales")
        csv_done = await wait_for_job(client, csv_job["id"])
        pdf_done = await wait_for_job(client, pdf_job["id"])
        assert (csv_done["status"], pdf_done["status"]) == ("COMPLETED", "COMPLETED")

        [csv_key] = [k for k in await object_keys(s3, bucket) if csv_job["id"] in k]
        assert re.fullmatch(rf"reports/csv/{csv_job['id']}\.a1\.csv", csv_key)
        head = await s3.head_object(Bucket=bucket, Key=csv_key)
        # A multipart object's ETag ends with its number of parts: each at least
        # PART_BYTES (the bytes written since the last), but the last.
        parts = int(head["ETag"].strip('"').rsplit("-", 1)[1])
        assert 3 < parts <= -(-head["ContentLength"] // PART_BYTES)
        assert head["ContentLength"] == csv_done["fileSize"]

        async with httpx.AsyncClient() as browser:
            for done, media_type in ((csv_done, "text/csv"), (pdf_done, "application/pdf")):
                # Our own checks first (signature, owner, expiry), then a redirect.
                answer = await client.download(done["downloadUrl"])
                assert answer.status_code == 303
                assert answer.headers["location"].startswith(f"{s3_endpoint}/{bucket}/reports/")
                fetched = await browser.get(answer.headers["location"])
                assert fetched.status_code == 200
                assert fetched.headers["content-type"].startswith(media_type)
                disposition = fetched.headers["content-disposition"]
                assert re.fullmatch(r'attachment; filename="[a-z0-9-]+\.(csv|pdf)"', disposition)
                assert len(fetched.content) == done["fileSize"]
                if media_type == "text/csv":
                    rows = list(csv.DictReader(io.StringIO(fetched.text)))
                    assert len(rows) == ROWS and {row["sku"] for row in rows} == {"BULK-1"}
                else:
                    assert fetched.content.startswith(b"%PDF") and b"%%EOF" in fetched.content[-64:]
            # Someone else's copy of the link with a forged signature gets nothing.
            forged = await client.download(csv_done["downloadUrl"][:-2] + "xx")
            assert forged.status_code == 403

        # Nothing on the local disk: no report files, no scratch left by the PDF.
        assert report_files(lab, csv_job["id"]) == report_files(lab, pdf_job["id"]) == []
        assert temp_files(lab) == []
        assert await upload_keys(s3, bucket) == []

        await client.execute(DELETE_REPORT, {"id": pdf_job["id"]})
        assert [k for k in await object_keys(s3, bucket) if pdf_job["id"] in k] == []
        assert await object_keys(s3, bucket) == [csv_key]


async def test_expired_reports_leave_s3_and_their_links_say_so(
    stack: StackFactory, s3_endpoint: str, bucket: str
) -> None:
    lab = await stack(
        "s3-expiry", **fast_recovery(**s3_settings(s3_endpoint, bucket), report_retention_seconds=5)
    )
    async with signed_in(lab) as client, s3_client(s3_endpoint) as s3:
        await add_product(client, "E-1", "Ephemeral", "2.00")
        await completed_order(client, "Ann", "ann@example.com", [("E-1", 1)])
        async with watching(client) as watched:
            requested = await request_report(client, kind="SALES", format="CSV")
            done = await wait_for_job(client, requested["id"])
            assert (await client.download(done["downloadUrl"])).status_code == 303
            assert len(await object_keys(s3, bucket)) == 1
            expired = await watched.wait_for(
                lambda e: e["id"] == requested["id"] and e["message"] == "Expired"
            )
        assert expired["downloadUrl"] is None
        assert await object_keys(s3, bucket) == []
        gone = await client.download(done["downloadUrl"])
        assert (gone.status_code, gone.text) == (410, EXPIRED_MESSAGE)


async def test_a_killed_attempt_s_upload_is_aborted_and_stray_objects_removed(
    stack: StackFactory,
    signed_in_client: SignedInClientFactory,
    s3_endpoint: str,
    bucket: str,
) -> None:
    # Crash clean-up takes what is older than twice the time limit + the lease: 13 s here.
    lab = await stack(
        "s3-crash",
        **fast_recovery(
            **s3_settings(s3_endpoint, bucket, s3_part_size_bytes=1024),
            fault_chunk_delay_seconds=0.1,
            job_time_limit_seconds=5,
            max_attempts=1,
        ),
    )
    client = await signed_in_client(lab)
    await seed_line_items(client, 600)
    async with s3_client(s3_endpoint) as s3:
        stray = f"reports/csv/{uuid.uuid4()}.a1.csv"
        await s3.put_object(Bucket=bucket, Key=stray, Body=b"sku\r\n")
        kept = "reports/notes.txt"  # not a report's name: never ours to delete
        await s3.put_object(Bucket=bucket, Key=kept, Body=b"keep me")
        with running_worker(lab) as doomed:
            async with watching(client) as watched:
                requested = await request_report(client, kind="ORDERS", format="CSV")
                await watched.wait_for_job(requested["id"], progress_at_least(20))
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
        assert await upload_keys(s3, bucket) == [f"reports/csv/{requested['id']}.a1.csv"]
        with running_worker(lab):
            failed = await wait_for_job(client, requested["id"])
            assert failed["status"] == "FAILED"
            await eventually(
                lambda: upload_keys(s3, bucket), lambda keys: keys == [], what="upload aborted"
            )
            await eventually(
                lambda: object_keys(s3, bucket),
                lambda keys: keys == [kept],
                what="the stray object removed",
                timeout=30,
            )


def test_storage_urls_are_checked() -> None:
    for bad, says in (
        ("ftp://host/reports", "must start with file:// or s3://"),
        ("/srv/reports", "must start with file:// or s3://"),
        ("s3://", "must name a bucket"),
        ("s3:///reports", "must name a bucket"),
        ("file://srv/reports", "file:///absolute/path"),
        ("s3://bucket/reports?region=eu", "no query"),
    ):
        with pytest.raises(SettingsError, match=re.escape(says)):
            Settings(storage_url=bad).validate()
    with pytest.raises(SettingsError, match="S3_PART_SIZE_BYTES must be at least 5242880"):
        Settings(environment="production", secret_key="x" * 32, s3_part_size_bytes=1024).validate()
    Settings(storage_url="s3://bucket").validate()
    Settings(storage_url="file:///srv/reports").validate()


async def test_an_unreachable_bucket_fails_the_attempt_as_transient_and_retries(
    stack: StackFactory, signed_in_client: SignedInClientFactory
) -> None:
    # Nothing listens on the endpoint: the attempt's upload fails, is retried, then FAILED.
    lab = await stack(
        "s3-down",
        **fast_recovery(**s3_settings("http://127.0.0.1:9", "nowhere"), max_attempts=2),
    )
    client = await signed_in_client(lab)
    await add_product(client, "D-1", "Down", "1.00")
    await completed_order(client, "Ann", "ann@example.com", [("D-1", 1)])
    with running_worker(lab):
        requested = await request_report(client, kind="SALES", format="CSV")
        failed = await wait_for_job(client, requested["id"])
    assert (failed["status"], failed["attempts"]) == ("FAILED", 2)
    assert "gave up after 2 attempts" in failed["error"]
