"""What the PDF render pool's processes run: one batch of HTML to a PDF file, and the
join of the batch files into one document with "Page n of N" on every page.

It imports nothing of the service (no Tortoise, no models) and lives outside
`workers.renderers`, whose package imports them: every pool process loads this
module, and a PDF job's peak memory is the worker's plus each process's.

Each call ends by giving back what it freed: the join's pypdf objects hold
reference cycles (about 10 MB for 300 pages) that would otherwise wait for a
collection, and glibc would keep the freed pages. A process that had joined one
long PDF stayed that much larger, and the next join, in the other process,
stacked on it: that was the peak of figure 6 (issue 5).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import TYPE_CHECKING

from workers.free_memory import collect_and_release

if TYPE_CHECKING:
    from pypdf.generic import DictionaryObject, StreamObject

# Where the page footer goes; pdf_document's @page keeps this band free
# (bottom margin 1.8 cm), so the stamp never overlaps a row.
FOOTER_RIGHT_MARGIN_CM = 1.2
FOOTER_BASELINE_CM = 0.9
FOOTER_FONT = ("Helvetica", 7)
FOOTER_GREY = 0x77 / 0xFF
# The footer font's name in each page's resources: apart from reportlab's F1, F2...
FOOTER_FONT_RESOURCE = "/FPageNumber"


def prepare_process() -> None:
    """Runs in each pool process as it starts: load the renderers, then keep what
    they loaded out of the garbage collector, so the collection after every call
    walks only that call's objects (under a millisecond, not 20 ms)."""
    import pypdf  # noqa: F401
    import xhtml2pdf.pisa  # noqa: F401

    gc.collect()
    gc.freeze()


def render_batch(html: str, pdf_path: str) -> None:
    """Render one batch's HTML to `pdf_path`."""
    from reportlab import rl_config  # type: ignore[import-untyped]
    from xhtml2pdf import pisa

    # Page content compressed only, not also ASCII85-armoured (reportlab's default):
    # a quarter smaller.
    rl_config.useA85 = 0

    try:
        with open(pdf_path, "wb") as output:
            result = pisa.CreatePDF(src=html, dest=output, encoding="utf-8")
    finally:
        collect_and_release()
    if result.err:
        raise RuntimeError(f"xhtml2pdf reported {result.err} error(s)")


def join_batches(batch_paths: Sequence[str], pdf_path: str) -> None:
    """Concatenate the batch PDFs in order into `pdf_path`, each page stamped with
    "Page n of N".

    The batches are rendered apart, so none knows its first page number or the
    total: xhtml2pdf's <pdf:pagenumber>/<pdf:pagecount> would restart in each
    one (and pagecount alone makes xhtml2pdf lay the document out twice).
    """
    try:
        _join(batch_paths, pdf_path)
    finally:
        collect_and_release()


def _join(batch_paths: Sequence[str], pdf_path: str) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for path in batch_paths:
        writer.append(PdfReader(path))
    # Each page gets its footer as a content stream of its own, after the page's
    # own, which stays as rendered. Merging in a PDF of footers (pypdf's merge_page)
    # decoded and re-encoded every page's 50 KB of content: 0.4 s and 14 MB of
    # objects for 300 pages, where the pages alone are 8 MB; this is 0.15 s.
    # pypdf has no public way to add an object to a writer, and an array of
    # content streams must hold references.
    font = writer._add_object(_footer_font())
    save_state = writer._add_object(_stream(b"q\n"))
    total = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[NameObject(FOOTER_FONT_RESOURCE)] = font
        # The page's own content inside q ... Q, so whatever state it leaves
        # (a transformation, a colour) does not move or tint the footer.
        contents = page.raw_get("/Contents") if "/Contents" in page else ArrayObject()
        own = list(contents) if isinstance(contents, ArrayObject) else [contents]
        footer = writer._add_object(_stream(_footer(number, total, float(page.mediabox.width))))
        page[NameObject("/Contents")] = ArrayObject([save_state, *own, footer])
    with open(pdf_path, "wb") as output:
        writer.write(output)


def _footer(number: int, total: int, page_width: float) -> bytes:
    """The content that draws "Page n of N" right-aligned in the bottom margin."""
    # reportlab ships no type hints.
    from reportlab.lib.units import cm  # type: ignore[import-untyped]
    from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]

    text = f"Page {number} of {total}"
    font, size = FOOTER_FONT
    x = page_width - FOOTER_RIGHT_MARGIN_CM * cm - stringWidth(text, font, size)
    y = FOOTER_BASELINE_CM * cm
    grey = f"{FOOTER_GREY:.6f}"
    return (
        f"\nQ q {grey} {grey} {grey} rg BT {FOOTER_FONT_RESOURCE} {size} Tf "
        f"1 0 0 1 {x:.4f} {y:.4f} Tm ({text}) Tj ET Q\n"
    ).encode("ascii")


def _footer_font() -> DictionaryObject:
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject(f"/{FOOTER_FONT[0]}"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _stream(content: bytes) -> StreamObject:
    from pypdf.generic import StreamObject

    stream = StreamObject()
    stream.set_data(content)
    return stream
