"""Reading uploaded spreadsheets (.xlsx / .csv) for every bulk upload: leads, contractors,
service areas. Each caller decides what the cells mean; this module only opens the file."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

EXTENSIONS = (".xlsx", ".csv")


def _xlsx_rows(uploaded_file) -> Iterator[tuple]:
    try:
        workbook = openpyxl.load_workbook(uploaded_file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a dozen types on a damaged or disguised file
        raise ValueError("The .xlsx file could not be read. Save it again from Excel.") from exc
    try:
        if not workbook.worksheets:
            raise ValueError("The .xlsx file has no sheet.")
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(uploaded_file) -> Iterator[list]:
    try:
        text = uploaded_file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "The .csv file is not UTF-8 text. Save it as “CSV UTF-8” and retry."
        ) from exc
    first_line = text.split("\n", 1)[0]
    # Excel in many locales writes semicolons; the first row tells us which one it used.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise ValueError(f"The .csv file could not be read: {exc}.") from exc


def open_rows(uploaded_file, *, max_bytes: int) -> Iterator:
    """The file's rows as sequences of raw cells, first row first.

    Raises ValueError with a sentence for the user for another file type or a file over
    `max_bytes`. Use it with contextlib.closing() so an .xlsx is closed on an early stop.
    """
    extension = Path((getattr(uploaded_file, "name", "") or "").lower()).suffix
    if extension not in EXTENSIONS:
        raise ValueError("Upload an .xlsx or .csv file.")
    if (uploaded_file.size or 0) > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        raise ValueError(f"The file is over {megabytes} MB. Split it and upload each part.")
    return _xlsx_rows(uploaded_file) if extension == ".xlsx" else _csv_rows(uploaded_file)


@dataclass
class ImportResult:
    """What an import did: the records it created and each skipped row with its reason."""

    noun: str  # "lead", "job": what the summary counts
    created: list = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """'Imported 48 jobs. Skipped 2 rows:' (the rows follow in the page)."""
        count = len(self.created)
        text = f"Imported {count} {self.noun}{'' if count == 1 else 's'}."
        if self.skipped:
            skipped = len(self.skipped)
            text += f" Skipped {skipped} row{'' if skipped == 1 else 's'}:"
        return text
