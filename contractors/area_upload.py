"""📥 Service Area bulk upload from .xlsx / .csv, by column position:
A label, B main ZIP, C main area code (optional), D office address (optional).
Every area still goes through `add_service_area`."""

from contextlib import closing
from dataclasses import dataclass, field

from contractors.services.areas import add_service_area
from crm import spreadsheets
from crm.errors import DomainError

MAX_ROWS = 500
MAX_BYTES = 2 * 1024 * 1024
COLUMNS = 4  # A–D

Row = tuple[int, list[str]]


def _text(value, *, is_zip: bool = False) -> str:
    """A cell as stripped text. Whole numbers lose their '.0'; a ZIP typed as a number gets
    back the leading zeros Excel dropped (2108 → 02108)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and is_zip and 0 <= value < 100_000:
        return f"{value:05d}"
    return str(value).strip()


def _is_zip(text: str) -> bool:
    return len(text) == 5 and text.isdigit()


def read_rows(uploaded_file) -> list[Row]:
    """(spreadsheet row number, [label, zip, area code, office address]) per non-blank row.

    Row 1 is a header, and skipped, when its column B is not a 5-digit ZIP. Raises
    ValueError with a sentence for the user when the file is not an .xlsx / .csv, is over
    2 MB or 500 data rows, or holds no rows.
    """
    reader = spreadsheets.open_rows(uploaded_file, max_bytes=MAX_BYTES)
    rows: list[Row] = []
    with closing(reader) as cells:  # closes the workbook even when we stop early
        for number, values in enumerate(cells, start=1):
            values = list(values or ())[:COLUMNS]
            values += [None] * (COLUMNS - len(values))
            texts = [_text(value, is_zip=index == 1) for index, value in enumerate(values)]
            if number == 1 and not _is_zip(texts[1]):
                continue  # the header row
            if not any(texts):
                continue  # blank rows are spacing, not data
            if len(rows) == MAX_ROWS:
                raise ValueError(
                    f"The file has more than {MAX_ROWS} areas. Split it and upload each part."
                )
            rows.append((number, texts))
    if not rows:
        raise ValueError("The file has no service areas in it.")
    return rows


@dataclass
class UploadResult:
    created: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        """Did anything reach the database?"""
        return self.created > 0

    @property
    def summary(self) -> str:
        """'Created 48 service areas. Skipped 2 rows:' (the rows follow in the page)."""
        text = f"Created {self.created} service area{'' if self.created == 1 else 's'}."
        if self.skipped:
            skipped = len(self.skipped)
            text += f" Skipped {skipped} row{'' if skipped == 1 else 's'}:"
        return text


def upload_service_areas(*, actor, rows: list[Row]) -> UploadResult:
    """Create an area per valid row; list every other row with its reason.

    Needs rows from `read_rows`. Each area is created by `add_service_area`, which commits
    it in its own transaction (its geocoding stays outside), so a bad row never rolls back
    the good ones, and a label repeated further down the file is refused as a duplicate.
    """
    result = UploadResult()
    for number, (label, zip_code, area_code, office_address) in rows:
        if not zip_code:
            result.skipped.append((number, "No main ZIP code (column B)."))
            continue
        try:
            add_service_area(
                actor=actor,
                label=label,
                zip_code=zip_code,
                area_code=area_code,
                office_address=office_address,
            )
        except DomainError as exc:
            result.skipped.append((number, exc.message))
        else:
            result.created += 1
    return result
