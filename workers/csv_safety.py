"""CSV cells a spreadsheet would run as formulas, written as text instead (OWASP's advice).

A customer named `=HYPERLINK("http://x","y")` becomes a live formula when a
business user opens the report in a spreadsheet. In the columns that hold what
users typed (names, emails, SKUs; each report kind lists them), a cell that
starts with one of FORMULA_TRIGGERS gets a leading `'`, which spreadsheets show
as text and do not evaluate. Numbers and dates are ours, and stay as they are.
The row path and PostgreSQL's COPY (workers/csv_copy.py) do the same.
"""

from __future__ import annotations

FORMULA_TRIGGERS = "=+-@\t\r"
TEXT_MARK = "'"
# The triggers in SQL, as characters by code (no quoting or escaping to get wrong).
_TRIGGERS_IN_SQL = ", ".join(f"chr({ord(trigger)})" for trigger in FORMULA_TRIGGERS)


def neutralised(value: str) -> str:
    """The cell as written: marked as text if a spreadsheet would take it for a formula."""
    if value and value[0] in FORMULA_TRIGGERS:
        return TEXT_MARK + value
    return value


def neutralised_sql(expression: str) -> str:
    """The same, for a text column of a COPY query (NULL and '' stay as they are).

    `expression` is written twice: a column, not a computation."""
    return (
        f"CASE WHEN left({expression}, 1) IN ({_TRIGGERS_IN_SQL}) "
        f"THEN '{TEXT_MARK}{TEXT_MARK}' || {expression} ELSE {expression} END"
    )
