"""The download route: a signed link streams the job's file to a plain GET, or on object
storage redirects to a short-lived presigned URL, once the link and its owner are checked."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

from models.download_links import InvalidLinkError, download_filename, read_download
from models.failures import is_connection_failure
from models.report_jobs import JobStatus, ReportFormat, ReportJob
from schema.errors import UNAVAILABLE_MESSAGE
from schema.services import Services
from workers.storage import RedirectDownload
from workers.storage.base import REPORT_CACHE_CONTROL

EXPIRED_MESSAGE = "This report has expired; request it again."

NOT_STORED = {"Cache-Control": REPORT_CACHE_CONTROL}


async def download_report(request: Request) -> Response:
    services: Services = request.app.state.services
    settings = services.settings
    try:
        grant = read_download(settings.secret_key, request.path_params["token"])
    except InvalidLinkError:
        return PlainTextResponse("This download link is invalid or has expired.", status_code=403)
    try:
        job = await ReportJob.get_or_none(id=grant.job_id, account_id=grant.account_id)
    except Exception as exc:
        if not is_connection_failure(exc):
            raise
        return PlainTextResponse(UNAVAILABLE_MESSAGE, status_code=503, headers={"Retry-After": "5"})
    if job is None or job.status != JobStatus.COMPLETED:
        return PlainTextResponse("This report is not available.", status_code=404)
    # Past its retention the file is no longer served, whether or not the clean-up
    # (every CLEANUP_INTERVAL_SECONDS, by the workers) has deleted it yet; and once it
    # has, the link still says why.
    if job.expires_at is not None and job.expires_at <= datetime.now(UTC):
        return PlainTextResponse(EXPIRED_MESSAGE, status_code=410)
    if not job.file_path:
        return PlainTextResponse("This report is not available.", status_code=404)
    media_type = ReportFormat(job.format).media_type
    filename = download_filename(job)
    download = await services.storage.download(job.file_path, filename, media_type)
    if download is None:
        return PlainTextResponse("This report's file is gone.", status_code=404)
    if isinstance(download, RedirectDownload):
        # Object storage serves the bytes: the API's worker is not tied up for a big file.
        return RedirectResponse(download.url, status_code=303, headers=NOT_STORED)
    return FileResponse(download.path, media_type=media_type, filename=filename, headers=NOT_STORED)
