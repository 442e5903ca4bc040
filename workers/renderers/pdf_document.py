"""The PDF report's HTML, and its rendering by xhtml2pdf (run in a worker process).

xhtml2pdf's time grows with the square of a table's rows (xhtml2pdf issue
#208), so the rows go into many page-sized tables, each repeating its header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from workers.renderers.base import DocumentInfo
from workers.reports.base import Row
from workers.reports.formatting import timestamp

ROWS_PER_TABLE = 40

_STYLE = """
@page {
  size: a4 landscape;
  margin: 1.4cm 1.2cm 1.8cm 1.2cm;
  @frame footer { -pdf-frame-content: page-footer; bottom: 0.6cm; margin-left: 1.2cm;
                  margin-right: 1.2cm; height: 0.8cm; }
}
body { font-family: Helvetica; font-size: 7pt; color: #222; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
p.meta { color: #555; margin: 0 0 2pt 0; }
h2 { font-size: 10pt; margin: 8pt 0 3pt 0; }
table.summary { width: 50%; margin-bottom: 8pt; }
table.summary td { padding: 1pt 4pt; border-bottom: 0.5pt solid #ddd; }
table.rows { width: 100%; }
table.rows th { background-color: #e8e8e8; text-align: left; padding: 2pt 3pt;
                border-bottom: 0.75pt solid #888; }
table.rows td { padding: 1.5pt 3pt; border-bottom: 0.25pt solid #ddd; }
#page-footer { text-align: right; color: #777; font-size: 7pt; }
"""


def _label(key: str) -> str:
    """camelCase summary keys as words: totalSales -> Total sales."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", key).lower()
    return words[:1].upper() + words[1:]


def column_widths(columns: Sequence[str], sample: Sequence[Row]) -> list[int]:
    """Percent widths from the longest text per column, so long values do not overlap."""
    lengths = [
        max([len(column), *(len(row[index]) for row in sample)])
        for index, column in enumerate(columns)
    ]
    total = sum(lengths)
    return [max(4, round(100 * length / total)) for length in lengths]


def _summary_rows(summary: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for key, value in summary.items():
        if isinstance(value, dict):
            text = ", ".join(f"{k}: {v}" for k, v in value.items())
        elif value is None:
            text = "—"
        else:
            text = str(value)
        yield _label(key), text


def header_html(info: DocumentInfo, summary: dict[str, Any]) -> str:
    summary_cells = "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in _summary_rows(summary)
    )
    return (
        f"<html><head><meta charset='utf-8'><style>{_STYLE}</style></head><body>"
        "<div id='page-footer'>Page <pdf:pagenumber> of <pdf:pagecount></div>"
        f"<h1>{escape(info.title)}</h1>"
        f"<p class='meta'>Period: {escape(info.period)}</p>"
        f"<p class='meta'>Generated at: {escape(timestamp(info.generated_at))}</p>"
        f"<h2>Summary</h2><table class='summary'>{summary_cells}</table>"
        "<h2>Rows</h2>"
    )


def table_html(columns: Sequence[str], widths: Sequence[int], rows: Sequence[Row]) -> str:
    head = "".join(
        f"<th width='{width}%'>{escape(column)}</th>"
        for column, width in zip(columns, widths, strict=True)
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table class='rows' repeat='1'><thead><tr>{head}</tr></thead>{body}</table>"


FOOTER_HTML = "</body></html>"


def render_pdf_file(html_path: str, pdf_path: str) -> None:
    """Render the HTML file to a PDF file; runs in a separate process."""
    from xhtml2pdf import pisa

    html = Path(html_path).read_text(encoding="utf-8")
    with open(pdf_path, "wb") as output:
        result = pisa.CreatePDF(src=html, dest=output, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"xhtml2pdf reported {result.err} error(s)")
