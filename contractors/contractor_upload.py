"""Contractor bulk upload (.xlsx / .csv): columns read by position, A to K.

Reading is all-or-nothing (an unreadable or oversized file changes nothing); writing is
`contractors.services.contractors.upsert_rows`, one transaction per row.
"""

import datetime
from contextlib import closing

from contractors.services.contractors import UpsertRow
from crm import spreadsheets

MAX_ROWS = 1_000
MAX_BYTES = 5 * 1024 * 1024
HEADER = "contractor name"
# Column order A-K, as the spec lists them.
COLUMNS = (
    "name",
    "contact_name",
    "contact_phone",
    "contact2_name",
    "contact2_phone",
    "report_email",
    "profit_share",
    "secondary_profit_share",
    "secondary_zip_codes",
    "secondary_partners",
    "notes",
)


def _text(value) -> str:
    """A cell as stripped text; whole floats lose their '.0' (phones, ZIPs, percents)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def read_rows(uploaded_file) -> list[UpsertRow]:
    """Every non-blank data row, numbered as the spreadsheet shows it.

    Row 1 is skipped when A1 reads "Contractor Name" (any case). Raises ValueError with a
    sentence for the user when the file is not .xlsx / .csv, is over 5 MB or 1,000 data
    rows, cannot be read, or holds no rows.
    """
    reader = spreadsheets.open_rows(uploaded_file, max_bytes=MAX_BYTES)
    rows: list[UpsertRow] = []
    with closing(reader) as cells:  # closes the workbook even when we stop early
        for number, values in enumerate(cells, start=1):
            texts = [_text(value) for value in values][: len(COLUMNS)]
            if number == 1 and texts and texts[0].lower() == HEADER:
                continue
            if not any(texts):
                continue  # blank rows are spacing, not data
            if len(rows) == MAX_ROWS:
                raise ValueError(
                    f"The file has more than {MAX_ROWS:,} contractor rows. "
                    "Split it and upload each part."
                )
            texts += [""] * (len(COLUMNS) - len(texts))
            rows.append(UpsertRow(number=number, **dict(zip(COLUMNS, texts, strict=True))))
    if not rows:
        raise ValueError("The file holds no contractor rows.")
    return rows
