"""crm.xlsx, the one writer of every .xlsx the CRM hands out."""

import datetime
import io
from decimal import Decimal

import openpyxl

from crm import xlsx


def _open(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_each_sheet_has_a_bold_header_then_its_rows_with_their_types():
    content = xlsx.workbook_bytes(
        [
            ("Leads by Source", ["Source", "Leads"], [["Angi", 17], ["Yelp", 4]]),
            (
                "Revenue",
                ["Day (ET)", "Revenue ($)"],
                [[datetime.date(2026, 12, 1), Decimal("12.5")]],
            ),
        ],
        title="Leads, Dec 2026",
    )

    workbook = _open(content)
    assert workbook.sheetnames == ["Leads by Source", "Revenue"]
    assert workbook.properties.title == "Leads, Dec 2026"
    sheet = workbook["Leads by Source"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Source", "Leads"],
        ["Angi", 17],
        ["Yelp", 4],
    ]
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    revenue = workbook["Revenue"]
    assert revenue["A2"].value == datetime.datetime(2026, 12, 1)
    assert revenue["B2"].value == 12.5


def test_formats_apply_to_their_columns_and_fitted_sheets_freeze_the_header():
    content = xlsx.workbook_bytes(
        [("Money", ["Contractor", "Revenue ($)"], [["Ace", Decimal("10200.00")]])],
        formats={"Revenue ($)": xlsx.MONEY_FORMAT},
        fitted=True,
    )

    sheet = _open(content)["Money"]
    assert sheet["B2"].number_format == xlsx.MONEY_FORMAT
    assert sheet["A2"].number_format == "General"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 12
    assert sheet.column_dimensions["B"].width == 13


def test_a_sheet_name_excel_would_refuse_is_made_safe():
    assert (
        xlsx.sheet_name("Conversion efficiency by attempt #") == "Conversion efficiency by attemp"
    )
    assert xlsx.sheet_name("In/out [draft]?") == "In-out -draft--"
    assert xlsx.sheet_name("") == "Sheet"


def test_the_response_is_an_xlsx_download_with_its_name():
    response = xlsx.xlsx_response("by-source.xlsx", [("S", ["A"], [[1]])])

    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="by-source.xlsx"'
    assert _open(response.content)["S"]["A2"].value == 1
