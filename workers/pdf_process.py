"""What the PDF render pool's processes run: one batch of HTML to a PDF file, and the
join of the batch files into one document with "Page n of N" on every page.

It imports nothing of the service (no Tortoise, no models) and lives outside
`workers.renderers`, whose package imports them: every pool process loads this
module, and a PDF job's peak memory is the worker's plus each process's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

# Where the page footer goes; pdf_document's @page keeps this band free
# (bottom margin 1.8 cm), so the stamp never overlaps a row.
FOOTER_RIGHT_MARGIN_CM = 1.2
FOOTER_BASELINE_CM = 0.9
FOOTER_FONT = ("Helvetica", 7)
FOOTER_GREY = 0x77 / 0xFF


def render_batch(html: str, pdf_path: str) -> None:
    """Render one batch's HTML to `pdf_path`."""
    from reportlab import rl_config  # type: ignore[import-untyped]
    from xhtml2pdf import pisa

    # Page content compressed only, not also ASCII85-armoured (reportlab's default):
    # a quarter smaller, and the join decodes every page, where base85 is the slow part.
    rl_config.useA85 = 0

    with open(pdf_path, "wb") as output:
        result = pisa.CreatePDF(src=html, dest=output, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"xhtml2pdf reported {result.err} error(s)")


def join_batches(batch_paths: Sequence[str], pdf_path: str) -> None:
    """Concatenate the batch PDFs in order into `pdf_path`, each page stamped with
    "Page n of N".

    The batches are rendered apart, so none knows its first page number or the
    total: xhtml2pdf's <pdf:pagenumber>/<pdf:pagecount> would restart in each
    one (and pagecount alone makes xhtml2pdf lay the document out twice).
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for path in batch_paths:
        writer.append(PdfReader(path))
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in writer.pages]
    numbers = PdfReader(io.BytesIO(_page_numbers(sizes)))
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(stamp)
        # Merging leaves the page's content decoded: compressed again, the file
        # is a tenth of the size.
        page.compress_content_streams()
    with open(pdf_path, "wb") as output:
        writer.write(output)


def _page_numbers(sizes: Sequence[tuple[float, float]]) -> bytes:
    """A PDF of transparent pages of these sizes, each with nothing but its footer."""
    # reportlab ships no type hints.
    from reportlab.lib.colors import Color  # type: ignore[import-untyped]
    from reportlab.lib.units import cm  # type: ignore[import-untyped]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

    total = len(sizes)
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for number, (width, height) in enumerate(sizes, start=1):
        canvas.setPageSize((width, height))
        canvas.setFont(*FOOTER_FONT)
        canvas.setFillColor(Color(FOOTER_GREY, FOOTER_GREY, FOOTER_GREY))
        canvas.drawRightString(
            width - FOOTER_RIGHT_MARGIN_CM * cm,
            FOOTER_BASELINE_CM * cm,
            f"Page {number} of {total}",
        )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
