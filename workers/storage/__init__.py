"""Where report files live: one interface, the backend chosen by STORAGE_URL.

file:///path (the default: REPORTS_DIR) keeps them on a disk; s3://bucket/prefix in
S3-compatible object storage, for APIs and workers on several machines. The
API reaches storage only through this package (download, delete); the
workers write, publish and clean up through it.
"""

from __future__ import annotations

from pathlib import Path

from models.settings import Settings, storage_location
from workers.storage.base import (
    Download,
    LocalDownload,
    RedirectDownload,
    ReportFile,
    ReportStorage,
    ReportStream,
    report_key,
)
from workers.storage.files import TEMP_SUFFIX, SerialFileIO, temp_path_for
from workers.storage.local import LocalStorage

__all__ = [
    "TEMP_SUFFIX",
    "Download",
    "LocalDownload",
    "RedirectDownload",
    "ReportFile",
    "ReportStorage",
    "ReportStream",
    "SerialFileIO",
    "open_storage",
    "report_key",
    "temp_path_for",
]


async def open_storage(settings: Settings) -> ReportStorage:
    """The backend STORAGE_URL names (validated with the settings); close() it after."""
    scheme, where, prefix = storage_location(settings.storage_url_or_default)
    if scheme == "s3":
        # Imported only here: aiobotocore and botocore's data cost a process about 40 MB,
        # which a service keeping its files on disk need not pay.
        from workers.storage.s3 import S3Storage

        return await S3Storage.open(settings, bucket=where, prefix=prefix)
    return LocalStorage(Path(where))
