"""Output formats, registered in one place."""

from __future__ import annotations

from models.report_jobs import ReportFormat
from workers.renderers.base import ReportRenderer
from workers.renderers.csv_renderer import CsvRenderer
from workers.renderers.pdf_renderer import PdfRenderer

RENDERERS: dict[ReportFormat, type[ReportRenderer]] = {
    ReportFormat.CSV: CsvRenderer,
    ReportFormat.PDF: PdfRenderer,
}
