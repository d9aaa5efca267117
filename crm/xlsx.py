"""Writing .xlsx downloads and attachments: every export in the CRM (📊 Reports tables,
💰 Finance's list, the weekly payment reports) goes through here. Cells keep their Python
types, so numbers stay numbers and dates dates; reading uploads is crm.spreadsheets."""

import io
import re
from collections.abc import Iterable

import openpyxl
from django.http import HttpResponse
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
# Excel refuses these in a sheet's name, and names over 31 characters.
_SHEET_NAME_BANNED = re.compile(r"[\[\]:*?/\\]")

Sheet = tuple[str, list[str], Iterable[list]]  # (sheet name, header row, data rows)


def sheet_name(title: str) -> str:
    return _SHEET_NAME_BANNED.sub("-", title)[:31] or "Sheet"


def _fill(sheet, headers: list[str], rows: Iterable[list], formats: dict, fitted: bool) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(headers, start=1):
        if fitted:
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(12, len(name) + 2)
        if name in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = formats[name]
    if fitted:
        sheet.freeze_panes = "A2"


def workbook_bytes(
    sheets: list[Sheet], *, title: str = "", formats: dict | None = None, fitted: bool = False
) -> bytes:
    """The sheets as an .xlsx file: a bold header row, then the rows as given.

    `formats` maps a header to the number format of its column's cells ("Closing":
    MONEY_FORMAT); `fitted` widens each column to its header (12 at least) and freezes the
    header row; `title` is the document's title property.
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    if title:
        workbook.properties.title = title
    for name, headers, rows in sheets:
        _fill(workbook.create_sheet(sheet_name(name)), headers, rows, formats or {}, fitted)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str,
    sheets: list[Sheet],
    *,
    title: str = "",
    formats: dict | None = None,
    fitted: bool = False,
) -> HttpResponse:
    """The sheets as a download named `filename` (options as in `workbook_bytes`)."""
    content = workbook_bytes(sheets, title=title, formats=formats, fitted=fitted)
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
