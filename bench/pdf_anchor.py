"""Anchor of figure 6: xhtml2pdf rendering a report's rows as ONE HTML table, the obvious
way to write a PDF report, in a process of its own.

python -m bench.pdf_anchor ROWS.csv   ->  prints "<seconds> <peak RSS in MB>"

Same styles, title and summary as the service's PDF, and "Page n of N" by
xhtml2pdf's own <pdf:pagenumber>/<pdf:pagecount>, as a one-table document
would number its pages.
"""

from __future__ import annotations

import csv
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from workers.renderers.base import DocumentInfo
from workers.renderers.pdf_document import (
    DOCUMENT_END,
    DOCUMENT_START,
    column_widths,
    table_html,
    title_html,
)

PAGE_NUMBERS = (
    "<div id='page-footer' style='text-align: right; color: #777'>"
    "Page <pdf:pagenumber> of <pdf:pagecount></div>"
)


def one_table_html(rows_csv: Path) -> str:
    with rows_csv.open(encoding="utf-8", newline="") as source:
        columns, *rows = [tuple(row) for row in csv.reader(source)]
    info = DocumentInfo("Orders report", "All time", datetime.now(UTC), columns)
    widths = column_widths(columns, rows[:40])
    return (
        DOCUMENT_START.replace(
            "@page {",
            "@page { @frame footer { -pdf-frame-content: page-footer; bottom: 0.6cm; "
            "margin-left: 1.2cm; margin-right: 1.2cm; height: 0.8cm; }",
            1,
        )
        + PAGE_NUMBERS
        + title_html(info, {"lineItems": len(rows)})
        + table_html(columns, widths, rows)
        + DOCUMENT_END
    )


def main() -> None:
    from xhtml2pdf import pisa

    html = one_table_html(Path(sys.argv[1]))
    with TemporaryDirectory() as folder, (Path(folder) / "anchor.pdf").open("wb") as output:
        started = time.perf_counter()
        pisa.CreatePDF(src=html, dest=output, encoding="utf-8")
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {peak_mb:.1f}")


if __name__ == "__main__":
    main()
