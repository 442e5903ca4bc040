"""Finished reports delivered by real workers to a real SMTP server (aiosmtpd) and a real
HTTP receiver: what arrives, retries and their end, signatures, live status, and a worker
killed mid-send."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from client.graphql_client import GraphQLResponseError, ReportsClient
from models.settings import Settings
from service.embedded_redis import EmbeddedRedis
from service.processes import running_api, running_worker
from tests.support.clients import register
from tests.support.documents import (
    CANCEL_REPORT,
    REGENERATE_REPORT,
    REPORT_JOB,
    SCHEDULE,
)
from tests.support.factories import (
    add_product,
    completed_order,
    create_schedule,
    request_report,
    seed_line_items,
)
from tests.support.private_postgres import on_private_postgres
from tests.support.receivers import Inbox, Reply, receiving, smtp_server
from tests.support.stacks import StackFactory, clock_stack, fast_recovery
from tests.support.waiting import eventually, progress_at_least, wait_for_job

OWNER = "owner@example.com"
ROTATE = "mutation { rotateWebhookSecret }"
SECRET = "{ me { webhookSecret } }"
WATCH_DELIVERIES = """
subscription($id: ID!) { reportJob(id: $id) {
  status version deliveries { channel status attempts error }
} }
"""


class RefusingInbox(Inbox):
    """Refuses every recipient with `reply` (an SMTP server having a bad day)."""

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        return self.reply


def delivery_settings(smtp: tuple[str, int], **overrides: Any) -> dict[str, Any]:
    """A stack's settings for delivering to the test's SMTP server, retrying quickly."""
    host, port = smtp
    return fast_recovery(
        smtp_host=host,
        smtp_port=port,
        # The test server speaks plain SMTP.
        smtp_starttls=False,
        delivery_retry_base_seconds=0.2,
        delivery_max_attempts=3,
        **overrides,
    )


async def delivery_stack(
    stack: StackFactory, name: str, smtp: tuple[str, int], **overrides: Any
) -> Settings:
    return await stack(name, **delivery_settings(smtp, **overrides))


async def delivered(client: ReportsClient, job_id: str, timeout: float = 30) -> dict[str, Any]:
    """The job once it is finished and none of its deliveries is PENDING."""
    job: dict[str, Any] = await eventually(
        lambda: client.execute(REPORT_JOB, {"id": job_id}),
        lambda found: (
            found["reportJob"]["status"] in {"COMPLETED", "FAILED"}
            and all(d["status"] != "PENDING" for d in found["reportJob"]["deliveries"])
        ),
        what="the job finished and its deliveries done",
        timeout=timeout,
    )
    return job["reportJob"]  # type: ignore[no-any-return]


def local_link(lab: Settings, api_url: str, link: str) -> str:
    """An absolute link from a delivery, pointed at the API this test started."""
    assert link.startswith(lab.public_url), link
    return api_url + link.removeprefix(lab.public_url)


async def test_a_schedule_delivers_an_email_and_a_signed_webhook_once(
    stack: StackFactory,
) -> None:
    """Its 06:00 occurrence (a test clock, ten times as fast), two workers ticking."""
    inbox = Inbox()
    async with smtp_server(inbox) as smtp, receiving() as receiver:
        lab = await clock_stack(
            stack,
            "deliver-schedule",
            # 06:00 comes 26 s from now: starting an API and two workers, and making the
            # schedule, take well under that on a loaded machine.
            reads=datetime(2026, 12, 7, 5, 59, tzinfo=UTC),
            in_seconds=20,
            rate=10,
            **delivery_settings(smtp),
        )
        with running_api(lab) as url, running_worker(lab), running_worker(lab):
            async with ReportsClient(url) as client:
                await register(client)
                await add_product(client, "T-1", "Tea", "4.20")
                await completed_order(client, "Ann", "ann@example.com", [("T-1", 3)])
                secret = (await client.execute(SECRET))["me"]["webhookSecret"]
                schedule = await create_schedule(
                    client,
                    name="Daily tea",
                    title="Tea sales",
                    cron="0 6 * * *",
                    deliverTo=[{"email": OWNER}, {"webhookUrl": receiver.url()}],
                )
                assert schedule["nextRunAt"] == "2026-12-07T06:00:00+00:00"
                runs = await eventually(
                    lambda: client.execute(SCHEDULE, {"id": schedule["id"]}),
                    lambda found: found["reportSchedule"]["runs"]["totalCount"] > 0,
                    what="the 06:00 run",
                    timeout=60,
                )
                [edge] = runs["reportSchedule"]["runs"]["edges"]
                assert edge["node"]["scheduledFor"] == "2026-12-07T06:00:00+00:00"
                job = await delivered(client, edge["node"]["job"]["id"])
                await asyncio.sleep(1.5)  # any second send would have arrived by now
                link = json.loads(receiver.requests[0].body)["data"]["downloadUrl"]
                file = await client.download(local_link(lab, url, link))
                runs = (await client.execute(SCHEDULE, {"id": schedule["id"]}))["reportSchedule"][
                    "runs"
                ]
    assert job["status"] == "COMPLETED" and runs["totalCount"] == 1
    assert [(d["channel"], d["status"], d["attempts"], d["error"]) for d in job["deliveries"]] == [
        ("EMAIL", "SENT", 1, None),
        ("WEBHOOK", "SENT", 1, None),
    ]
    [envelope] = [e for e in inbox.envelopes if e.rcpt_tos == [OWNER]]
    assert envelope.rcpt_tos == [OWNER]
    [message] = inbox.messages_to(OWNER)
    assert message["Subject"].startswith("Tea sales")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_payload(decode=True) == file.content, "the file, byte for byte"
    [request] = receiver.requests
    event = json.loads(request.body)
    assert Webhook(secret).verify(request.body, request.headers) == event
    assert event["type"] == "report.completed"
    assert event["data"]["id"] == job["id"] and event["data"]["scheduleId"] == schedule["id"]
    assert event["data"]["rowCount"] == job["rowCount"]
    finished = datetime.fromisoformat(job["finishedAt"]).timestamp()
    print(f"COMPLETED to webhook arrival: {request.arrived_at - finished:.3f} s")


async def test_past_the_size_limit_the_email_carries_a_link(stack: StackFactory) -> None:
    inbox = Inbox()
    async with smtp_server(inbox) as smtp:
        lab = await delivery_stack(stack, "deliver-link", smtp, email_attachment_max_bytes=10)
        with running_api(lab) as url, running_worker(lab):
            async with ReportsClient(url) as client:
                await register(client)
                await add_product(client, "T-1", "Tea", "4.20")
                await completed_order(client, "Ann", "ann@example.com", [("T-1", 3)])
                job = await request_report(
                    client, kind="ORDERS", format="CSV", deliverTo=[{"email": OWNER}]
                )
                done = await delivered(client, job["id"])
                [message] = inbox.messages_to(OWNER)
                body = message.get_body(("plain",))
                assert body is not None
                [link] = [line for line in body.get_content().splitlines() if "/downloads/" in line]
                file = await client.download(local_link(lab, url, link.strip()))
                mine = await client.download(done["downloadUrl"])
    assert not list(message.iter_attachments())
    assert file.status_code == 200 and file.content == mine.content


async def test_a_server_that_keeps_refusing_ends_failed_with_its_reply(
    stack: StackFactory,
) -> None:
    later = RefusingInbox("451 4.3.0 Mailbox busy, try again later")
    async with smtp_server(later) as smtp:
        lab = await delivery_stack(stack, "deliver-refused", smtp)
        with running_api(lab) as url, running_worker(lab):
            async with ReportsClient(url) as client:
                await register(client)
                job = await request_report(
                    client, kind="SALES", format="CSV", deliverTo=[{"email": OWNER}]
                )
                done = await delivered(client, job["id"])
    [delivery] = done["deliveries"]
    assert done["status"] == "COMPLETED", "the report is fine; its delivery is not"
    assert (delivery["status"], delivery["attempts"]) == ("FAILED", 3)
    assert "451" in delivery["error"] and "Mailbox busy" in delivery["error"]
    assert delivery["sentAt"] is None


async def test_a_webhook_is_retried_until_it_is_taken_and_a_rotated_secret_signs(
    stack: StackFactory,
) -> None:
    replies = (Reply(500), Reply(500), Reply(200))
    async with smtp_server(Inbox()) as smtp, receiving(*replies) as receiver:
        lab = await delivery_stack(stack, "deliver-webhook-retries", smtp)
        with running_api(lab) as url, running_worker(lab):
            async with ReportsClient(url) as client:
                await register(client)
                old_secret = (await client.execute(SECRET))["me"]["webhookSecret"]
                job = await request_report(
                    client, kind="SALES", format="CSV", deliverTo=[{"webhookUrl": receiver.url()}]
                )
                done = await delivered(client, job["id"])
                new_secret = (await client.execute(ROTATE))["rotateWebhookSecret"]
                again = (await client.execute(REGENERATE_REPORT, {"id": job["id"]}))[
                    "regenerateReport"
                ]
                await delivered(client, again["id"])
    [delivery] = done["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("SENT", 3)
    first, second, third, fourth = receiver.requests
    assert (
        first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    )
    for request in (first, second, third):
        Webhook(old_secret).verify(request.body, request.headers)
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    assert json.loads(fourth.body)["data"]["id"] == again["id"]
    Webhook(new_secret).verify(fourth.body, fourth.headers)
    try:
        Webhook(old_secret).verify(fourth.body, fourth.headers)
    except WebhookVerificationError:
        pass
    else:
        raise AssertionError("the old secret still signs")


async def test_delivery_status_is_live_and_a_failed_report_is_delivered_too(
    stack: StackFactory,
) -> None:
    async with smtp_server(Inbox()) as smtp, receiving() as receiver:
        lab = await delivery_stack(stack, "deliver-live", smtp, pdf_max_rows=1)
        with running_api(lab) as url, contextlib.ExitStack() as workers:
            async with ReportsClient(url) as client:
                await register(client)
                await add_product(client, "T-1", "Tea", "4.20")
                await completed_order(client, "Ann", "ann@example.com", [("T-1", 1)] * 2)
                job = await request_report(
                    client, kind="ORDERS", format="PDF", deliverTo=[{"webhookUrl": receiver.url()}]
                )
                events: list[dict[str, Any]] = []

                async def watch() -> None:
                    async for event in client.subscribe(WATCH_DELIVERIES, {"id": job["id"]}):
                        events.append(event["reportJob"])

                watching = asyncio.create_task(watch())
                await eventually(lambda: events, bool, what="the job's first state")
                # No worker until the stream is open: it must carry every change.
                await asyncio.to_thread(workers.enter_context, running_worker(lab))
                await asyncio.wait_for(watching, timeout=30)
                done = await delivered(client, job["id"])
    assert done["status"] == "FAILED"
    statuses = [(e["status"], e["deliveries"][0]["status"]) for e in events]
    # The stream goes on past FAILED, until the delivery is done.
    assert statuses[-2:] == [("FAILED", "PENDING"), ("FAILED", "SENT")], statuses
    [request] = receiver.requests
    event = json.loads(request.body)
    assert event["type"] == "report.failed"
    assert event["data"]["downloadUrl"] is None and "more than 1 rows" in event["data"]["error"]


async def test_a_worker_killed_mid_send_leaves_it_to_another(stack: StackFactory) -> None:
    """The first send hangs and its worker dies; the lease lapses, the sweep hands the
    delivery to the other worker, which sends it: at least once, recorded once."""
    async with smtp_server(Inbox()) as smtp, receiving(Reply(hang=True), Reply(200)) as receiver:
        lab = await delivery_stack(stack, "deliver-killed", smtp)
        with running_api(lab) as url, contextlib.ExitStack() as workers:
            first = workers.enter_context(running_worker(lab))
            async with ReportsClient(url) as client:
                await register(client)
                job = await request_report(
                    client, kind="SALES", format="CSV", deliverTo=[{"webhookUrl": receiver.url()}]
                )
                await eventually(lambda: receiver.requests, bool, what="the first send", timeout=30)
                os.kill(first.pid, signal.SIGKILL)
                first.wait(timeout=10)
                killed_at = time.time()
                workers.enter_context(running_worker(lab))
                done = await delivered(client, job["id"])
    [delivery] = done["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("SENT", 1)
    hung, sent = receiver.requests
    assert hung.headers["webhook-id"] == sent.headers["webhook-id"]
    print(f"taken over and sent {sent.arrived_at - killed_at:.2f} s after the kill")


async def test_a_cancelled_job_is_not_delivered(stack: StackFactory) -> None:
    async with smtp_server(Inbox()) as smtp, receiving() as receiver:
        lab = await delivery_stack(stack, "deliver-cancelled", smtp)
        with running_api(lab) as url:
            async with ReportsClient(url) as client:
                await register(client)
                # No worker: it is still PENDING when cancelled.
                job = await request_report(
                    client, kind="SALES", format="CSV", deliverTo=[{"webhookUrl": receiver.url()}]
                )
                cancelled = (await client.execute(CANCEL_REPORT, {"id": job["id"]}))["cancelReport"]
                with running_worker(lab):
                    await asyncio.sleep(1.5)  # a sweep or two
                    after = (await client.execute(REPORT_JOB, {"id": job["id"]}))["reportJob"]
    [delivery] = cancelled["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("FAILED", 0)
    assert delivery["error"] == "Not sent: the report was cancelled."
    assert after["deliveries"] == cancelled["deliveries"] and not receiver.requests


async def test_redis_down_when_a_job_completes_delays_its_delivery_only(
    stack: StackFactory, private_redis: EmbeddedRedis
) -> None:
    async with smtp_server(Inbox()) as smtp, receiving() as receiver:
        lab = await delivery_stack(
            stack,
            "deliver-redis-down",
            smtp,
            fault_chunk_delay_seconds=0.1,
            redis_url=private_redis.url,
        )
        with running_api(lab) as url, running_worker(lab):
            async with ReportsClient(url) as client:
                await register(client)
                await seed_line_items(client, 100)
                job = await request_report(
                    client, kind="ORDERS", format="CSV", deliverTo=[{"webhookUrl": receiver.url()}]
                )
                await wait_for_job(client, job["id"], progress_at_least(1), timeout=30)
                private_redis.stop()
                # It completes while Redis is away: nothing can be enqueued then.
                done = await wait_for_job(client, job["id"], timeout=60)
                assert done["status"] == "COMPLETED" and not receiver.requests
                private_redis.start()
                sent = await delivered(client, job["id"], timeout=60)
    assert [(d["status"], d["attempts"]) for d in sent["deliveries"]] == [("SENT", 1)]
    assert len(receiver.requests) == 1


async def test_postgres_restarting_mid_send_still_delivers_and_records(
    stack: StackFactory,
) -> None:
    """The first send outlasts its timeout while PostgreSQL is away, so its outcome cannot
    be recorded; once PostgreSQL is back the lease lapses and the send is made again."""
    replies = (Reply(hang=True), Reply(200))
    async with smtp_server(Inbox()) as smtp, receiving(*replies) as receiver:
        lab = await delivery_stack(stack, "deliver-pg-restart", smtp, webhook_timeout_seconds=2)
        async with on_private_postgres(lab) as (moved, postgres):
            with running_api(moved) as url, running_worker(moved):
                async with ReportsClient(url) as client:
                    await register(client)
                    job = await request_report(
                        client,
                        kind="SALES",
                        format="CSV",
                        deliverTo=[{"webhookUrl": receiver.url()}],
                    )
                    await eventually(
                        lambda: receiver.requests, bool, what="the first send", timeout=30
                    )
                    await asyncio.to_thread(postgres.stop)
                    await asyncio.sleep(3)  # the send times out; its outcome has nowhere to go
                    await asyncio.to_thread(postgres.start)
                    sent = await eventually(
                        lambda: delivered_or_none(client, job["id"]),
                        bool,
                        what="the delivery recorded",
                        timeout=60,
                    )
    [delivery] = sent["deliveries"]
    assert delivery["status"] == "SENT"
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"], "the same message"


async def delivered_or_none(client: ReportsClient, job_id: str) -> dict[str, Any] | None:
    """The job once its deliveries are done; None meanwhile, or while the API cannot
    reach its database."""
    try:
        job: dict[str, Any] = (await client.execute(REPORT_JOB, {"id": job_id}))["reportJob"]
    except GraphQLResponseError:
        return None
    done = all(d["status"] != "PENDING" for d in job["deliveries"])
    return job if done else None
