"""A week's report as email bodies (text + HTML) and as an .xlsx workbook."""

import io

import openpyxl
from django.template.loader import render_to_string
from openpyxl.styles import Font

from finance.reports.building import PartyReport, Reimbursement, WeeklyReport


def render_email(report: WeeklyReport, party: PartyReport) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one contractor's or one partner's weekly email."""
    kind = "partner" if party.is_partner else "contractor"
    context = {"report": report, "party": party}
    subject = f"Payment report — {party.name} — week of {report.label}"
    text = render_to_string(f"finance/email/{kind}_report.txt", context)
    html = render_to_string("finance/email/weekly_report.html", context)
    return subject, text, html


MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
CONTRACTOR_COLUMNS = [
    "Contractor",
    "Job",
    "Date",
    "Client",
    "Office",
    "Partner",
    "Closing",
    "Parts",
    "Profit %",
    "Payout",
    "Contractor paid",
    "Note",
]
CONTRACTOR_TOTAL_COLUMNS = [
    "Contractor",
    "Email",
    "Jobs",
    "Closing",
    "Parts",
    "Payout",
    "Paid",
    "Unpaid",
    "Reimbursements",
    "Net due",
]
PARTNER_COLUMNS = [
    "Partner",
    "Job",
    "Date",
    "Client",
    "Office",
    "Contractor",
    "Closing",
    "Parts",
    "Payout",
    "Profit",
    "Keep %",
    "Partner share",
    "Partner paid",
    "Note",
]
PARTNER_TOTAL_COLUMNS = [
    "Partner",
    "Keep %",
    "Jobs",
    "Closing",
    "Parts",
    "Profit",
    "Partner share",
    "Paid",
    "Unpaid",
    "Reimbursements",
    "Net due",
]
MONEY_COLUMNS = {
    "Closing",
    "Parts",
    "Payout",
    "Profit",
    "Partner share",
    "Paid",
    "Unpaid",
    "Reimbursements",
    "Net due",
}


def _sheet(workbook, title: str, columns: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(name) + 2)
        number_format = (
            MONEY_FORMAT if name in MONEY_COLUMNS else DATE_FORMAT if name == "Date" else None
        )
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"


def _cancel_note(item: Reimbursement) -> str:
    note = f"Reimbursement: finance-cancelled {item.cancelled_on:%b %-d} ({item.reason})"
    return note + (f" — {item.note}" if item.note else "")


def report_xlsx(report: WeeklyReport) -> bytes:
    """The report as an .xlsx workbook: job rows and totals, contractors then partners.

    Reimbursements are rows of their own with the amount owed back as a negative payout
    (or share), so a column sum gives what is due.
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"Payment report, week of {report.label}"
    not_payable = "Finance-cancelled: not payable"

    rows = []
    for party in report.contractors:
        for line in party.jobs:
            rows.append(
                [
                    party.name,
                    line.display_id,
                    line.done_on,
                    line.client,
                    line.office,
                    line.partner,
                    line.closing,
                    line.parts,
                    line.profit_percent,
                    line.payout,
                    line.contractor_paid_label,
                    not_payable if line.finance_cancelled else "",
                ]
            )
        for item in party.reimbursements:
            line = item.line
            rows.append(
                [party.name, line.display_id, item.cancelled_on, line.client, line.office]
                + [line.partner, None, None, None, -item.amount, line.contractor_paid_label]
                + [_cancel_note(item)]
            )
    _sheet(workbook, "Contractors", CONTRACTOR_COLUMNS, rows)
    _sheet(
        workbook,
        "Contractor totals",
        CONTRACTOR_TOTAL_COLUMNS,
        [
            [party.name, party.email, len(party.payable), party.closing_total]
            + [party.parts_total, party.payout_total, party.paid_total, party.unpaid_total]
            + [party.reimbursement_total, party.net_due]
            for party in report.contractors
        ],
    )

    rows = []
    for party in report.partners:
        for line in party.jobs:
            rows.append(
                [party.name, line.display_id, line.done_on, line.client, line.office]
                + [line.contractor, line.closing, line.parts, line.payout, line.profit]
                + [line.keep_rate, line.partner_share, line.partner_paid_label]
                + [not_payable if line.finance_cancelled else ""]
            )
        for item in party.reimbursements:
            line = item.line
            rows.append(
                [party.name, line.display_id, item.cancelled_on, line.client, line.office]
                + [line.contractor, None, None, None, None, line.keep_rate, -item.amount]
                + [line.partner_paid_label, _cancel_note(item)]
            )
    _sheet(workbook, "Partners", PARTNER_COLUMNS, rows)
    _sheet(
        workbook,
        "Partner totals",
        PARTNER_TOTAL_COLUMNS,
        [
            [party.name, party.keep_rate, len(party.payable), party.closing_total]
            + [party.parts_total, party.profit_total, party.share_total, party.paid_total]
            + [party.unpaid_total, party.reimbursement_total, party.net_due]
            for party in report.partners
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
