"""The PDF report's HTML, one batch of pages at a time (rendered by workers.pdf_process).

xhtml2pdf's time grows with the square of a table's rows (xhtml2pdf issue
#208), so the rows go into one table per page, each with its own header, and
a page break after it. Fixed rows per page let a batch end exactly where a
page does, so batches rendered apart join into one evenly filled document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from workers.renderers.base import DocumentInfo
from workers.reports.base import Row
from workers.reports.formatting import timestamp

# A landscape page holds 36 one-line rows under the column header; two spare
# lines absorb a wrapped cell or two before a table spills onto another page.
ROWS_PER_PAGE = 34
# Page 1 also carries the title, the period and the summary.
FIRST_PAGE_ROWS = 20

# The bottom margin is the band where workers.pdf_process stamps "Page n of N".
_STYLE = """
@page {
  size: a4 landscape;
  margin: 1.4cm 1.2cm 1.8cm 1.2cm;
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
"""


def page_count(rows: int) -> int:
    """Pages a report of `rows` rows fills when no row wraps onto a second line."""
    return 1 + math.ceil(max(0, rows - FIRST_PAGE_ROWS) / ROWS_PER_PAGE)


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


DOCUMENT_START = f"<html><head><meta charset='utf-8'><style>{_STYLE}</style></head><body>"
DOCUMENT_END = "</body></html>"
PAGE_BREAK = "<pdf:nextpage />"


def title_html(info: DocumentInfo, summary: dict[str, Any]) -> str:
    """Page 1's head: title, period, generation time and summary."""
    summary_cells = "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in _summary_rows(summary)
    )
    return (
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


def pages_html(columns: Sequence[str], widths: Sequence[int], rows: Sequence[Row]) -> str:
    """Whole pages of rows: one table of ROWS_PER_PAGE rows per page."""
    tables = [
        table_html(columns, widths, rows[start : start + ROWS_PER_PAGE])
        for start in range(0, len(rows), ROWS_PER_PAGE)
    ]
    return PAGE_BREAK.join(tables)


def first_batch_html(
    info: DocumentInfo, summary: dict[str, Any], widths: Sequence[int], rows: Sequence[Row]
) -> str:
    """Page 1: the title and summary above its first rows (a header-only table if none)."""
    table = table_html(info.columns, widths, rows)
    return f"{DOCUMENT_START}{title_html(info, summary)}{table}{DOCUMENT_END}"


def batch_html(columns: Sequence[str], widths: Sequence[int], rows: Sequence[Row]) -> str:
    """A later batch: whole pages of rows, nothing else."""
    return f"{DOCUMENT_START}{pages_html(columns, widths, rows)}{DOCUMENT_END}"
