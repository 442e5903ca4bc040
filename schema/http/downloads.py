"""The download route: a signed link streams the job's file to a plain GET."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from models.download_links import InvalidLinkError, download_filename, read_download
from models.failures import is_connection_failure
from models.report_jobs import JobStatus, ReportFormat, ReportJob
from schema.errors import UNAVAILABLE_MESSAGE
from schema.services import Services

EXPIRED_MESSAGE = "This report has expired; request it again."


def _servable_path(reports_dir: Path, file_path: str) -> Path | None:
    """The file to serve, if it exists inside REPORTS_DIR (file_path is ours, never the user's)."""
    root = reports_dir.resolve()
    path = (root / file_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


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
    if job is None or job.status != JobStatus.COMPLETED or not job.file_path:
        return PlainTextResponse("This report is not available.", status_code=404)
    # Past its retention the file is no longer served, whether or not the clean-up
    # (every CLEANUP_INTERVAL_SECONDS, by the workers) has deleted it yet.
    if job.expires_at is not None and job.expires_at <= datetime.now(UTC):
        return PlainTextResponse(EXPIRED_MESSAGE, status_code=410)
    path = await asyncio.to_thread(_servable_path, settings.reports_dir, job.file_path)
    if path is None:
        return PlainTextResponse("This report's file is gone.", status_code=404)
    report_format = ReportFormat(job.format)
    return FileResponse(
        path,
        media_type=report_format.media_type,
        filename=download_filename(job),
        headers={"Cache-Control": "private, no-store"},
    )
