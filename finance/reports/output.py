"""A week's report as email bodies (text + HTML) and as an .xlsx workbook."""

from django.template.loader import render_to_string

from crm.xlsx import DATE_FORMAT, MONEY_FORMAT, workbook_bytes
from finance.reports.building import PartyReport, Reimbursement, WeeklyReport


def render_email(report: WeeklyReport, party: PartyReport) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one contractor's or one partner's weekly email."""
    kind = "partner" if party.is_partner else "contractor"
    context = {"report": report, "party": party}
    subject = f"Payment report — {party.name} — week of {report.label}"
    text = render_to_string(f"finance/email/{kind}_report.txt", context)
    html = render_to_string("finance/email/weekly_report.html", context)
    return subject, text, html


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


# Money columns as money and dates as dates; every sheet fitted to its headers.
FORMATS = {name: MONEY_FORMAT for name in MONEY_COLUMNS} | {"Date": DATE_FORMAT}


def _cancel_note(item: Reimbursement) -> str:
    note = f"Reimbursement: finance-cancelled {item.cancelled_on:%b %-d} ({item.reason})"
    return note + (f" — {item.note}" if item.note else "")


def report_xlsx(report: WeeklyReport) -> bytes:
    """The report as an .xlsx workbook: job rows and totals, contractors then partners.

    Reimbursements are rows of their own with the amount owed back as a negative payout
    (or share), so a column sum gives what is due.
    """
    not_payable = "Finance-cancelled: not payable"

    contractor_rows = []
    for party in report.contractors:
        for line in party.jobs:
            contractor_rows.append(
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
            contractor_rows.append(
                [party.name, line.display_id, item.cancelled_on, line.client, line.office]
                + [line.partner, None, None, None, -item.amount, line.contractor_paid_label]
                + [_cancel_note(item)]
            )
    contractor_totals = [
        [party.name, party.email, len(party.payable), party.closing_total]
        + [party.parts_total, party.payout_total, party.paid_total, party.unpaid_total]
        + [party.reimbursement_total, party.net_due]
        for party in report.contractors
    ]

    partner_rows = []
    for party in report.partners:
        for line in party.jobs:
            partner_rows.append(
                [party.name, line.display_id, line.done_on, line.client, line.office]
                + [line.contractor, line.closing, line.parts, line.payout, line.profit]
                + [line.keep_rate, line.partner_share, line.partner_paid_label]
                + [not_payable if line.finance_cancelled else ""]
            )
        for item in party.reimbursements:
            line = item.line
            partner_rows.append(
                [party.name, line.display_id, item.cancelled_on, line.client, line.office]
                + [line.contractor, None, None, None, None, line.keep_rate, -item.amount]
                + [line.partner_paid_label, _cancel_note(item)]
            )
    partner_totals = [
        [party.name, party.keep_rate, len(party.payable), party.closing_total]
        + [party.parts_total, party.profit_total, party.share_total, party.paid_total]
        + [party.unpaid_total, party.reimbursement_total, party.net_due]
        for party in report.partners
    ]
    return workbook_bytes(
        [
            ("Contractors", CONTRACTOR_COLUMNS, contractor_rows),
            ("Contractor totals", CONTRACTOR_TOTAL_COLUMNS, contractor_totals),
            ("Partners", PARTNER_COLUMNS, partner_rows),
            ("Partner totals", PARTNER_TOTAL_COLUMNS, partner_totals),
        ],
        title=f"Payment report, week of {report.label}",
        formats=FORMATS,
        fitted=True,
    )
