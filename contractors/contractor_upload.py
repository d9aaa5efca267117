"""Contractor bulk upload (.xlsx / .csv): columns read by position, A to K.

Reading is all-or-nothing (an unreadable or oversized file changes nothing); writing is
`contractors.services.contractors.upsert_rows`, one transaction per row.
"""

import csv
import datetime
import io
from contextlib import closing
from pathlib import Path

import openpyxl

from contractors.services.contractors import UpsertRow

MAX_ROWS = 1_000
MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = (".xlsx", ".csv")
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


def _xlsx_rows(uploaded_file):
    try:
        workbook = openpyxl.load_workbook(uploaded_file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged or disguised file
        raise ValueError("The .xlsx file could not be read. Save it again from Excel.") from exc
    try:
        if not workbook.worksheets:
            raise ValueError("The .xlsx file has no sheet.")
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(uploaded_file):
    try:
        text = uploaded_file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "The .csv file is not UTF-8 text. Save it as “CSV UTF-8” and retry."
        ) from exc
    first_line = text.split("\n", 1)[0]
    # Excel in many locales writes semicolons; the first line tells us which one it used.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise ValueError(f"The .csv file could not be read: {exc}.") from exc


def read_rows(uploaded_file) -> list[UpsertRow]:
    """Every non-blank data row, numbered as the spreadsheet shows it.

    Row 1 is skipped when A1 reads "Contractor Name" (any case). Raises ValueError with a
    sentence for the user when the file is not .xlsx / .csv, is over 5 MB or 1,000 data
    rows, cannot be read, or holds no rows.
    """
    extension = Path((getattr(uploaded_file, "name", "") or "").lower()).suffix
    if extension not in EXTENSIONS:
        raise ValueError("Upload an .xlsx or .csv file.")
    if (uploaded_file.size or 0) > MAX_BYTES:
        raise ValueError("The file is over 5 MB. Split it and upload each part.")
    reader = _xlsx_rows(uploaded_file) if extension == ".xlsx" else _csv_rows(uploaded_file)
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
