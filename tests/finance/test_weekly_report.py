"""The weekly payment report's numbers against a hand-computed week, its window, its
reimbursement rule, and what it renders to (text, HTML, .xlsx)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from crm.accounts.models import Role
from finance.reports import (
    build_weekly_report,
    last_closed_week,
    render_email,
    report_xlsx,
    week_window,
)
from jobs.models import Status
from tests.factories import ContractorFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
UTC = datetime.UTC
WEEK = datetime.date(2026, 5, 4)  # Monday; the week closes Sunday May 10, 11 PM EDT


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def ana(db):
    return ContractorFactory(name="Ana Lopez", profit_share=25, report_email="")


@pytest.fixture
def week(make_job, mike, ana, gdq, house, fiona):
    """The hand-computed week. Payout = (closing − parts) × (1 − profit%); the partner's
    share = (closing − parts − payout) × keep rate."""

    def done(**fields):
        return make_job(status=Status.DONE, **fields)

    jobs = {
        # Mike · GDQ: payout 779.50 × 0.70 = 545.65, paid; GDQ 35% of 233.85 = 81.85, paid.
        "j1": done(
            status_changed_at=at(4, 14),
            contractor_paid_at=at(8, 15),
            contractor_paid_by=fiona,
            partner_paid_at=at(8, 15),
            partner_paid_by=fiona,
        ),
        # Mike · house brand: payout 1170 × 0.65 = 760.50, unpaid; share 100% of 409.50, Auto.
        "j2": done(
            source=house,
            closing_total=D("1250.00"),
            parts_total=D("80.00"),
            profit_share=D("35"),
            status_changed_at=at(5, 16),
            partner_paid_at=at(5, 16),
            partner_paid_auto=True,
        ),
        # Ana · GDQ: payout 405 × 0.75 = 303.75; GDQ 35% of 101.25 = 35.44.
        "j3": done(
            contractor=ana,
            closing_total=D("450.00"),
            parts_total=D("45.00"),
            profit_share=D("25"),
            status_changed_at=at(6, 18),
        ),
        # Mike · GDQ, finance-cancelled this week after both were paid: not payable;
        # Mike owes 434.00 back, GDQ 65.10 (35% of 186.00).
        "j4": done(
            closing_total=D("620.00"),
            parts_total=D("0"),
            status_changed_at=at(7, 12),
            contractor_paid_at=at(8, 15),
            contractor_paid_by=fiona,
            partner_paid_at=at(8, 15),
            partner_paid_by=fiona,
            finance_cancelled_at=at(9, 13),
            finance_cancelled_by=fiona,
            finance_cancel_reason="Chargeback",
            finance_cancel_note="Card dispute",
        ),
        # Ana · GDQ at Sunday 10:59 PM EDT, the last minute of the week: payout 66.68
        # (100.01 × 0.6667), GDQ 35% of 33.33 = 11.67.
        "j5": done(
            contractor=ana,
            closing_total=D("100.01"),
            parts_total=D("0"),
            profit_share=D("33.33"),
            status_changed_at=at(11, 2, 59),
        ),
        # GDQ, nobody assigned: no payout; GDQ 35% of 300 = 105.00.
        "j11": done(
            contractor=None,
            profit_share=None,
            closing_total=D("300.00"),
            parts_total=D("0"),
            status_changed_at=at(8, 20),
        ),
        # Done in an earlier week, Mike paid, cancelled this week: Mike owes 280.00 back.
        "j7": done(
            closing_total=D("500.00"),
            parts_total=D("100.00"),
            status_changed_at=at(28, 14, month=4),
            contractor_paid_at=at(30, 14, month=4),
            contractor_paid_by=fiona,
            finance_cancelled_at=at(6, 10),
            finance_cancel_reason="Refund",
        ),
        # Earlier week, Ana never paid, cancelled this week: nothing to recover.
        "j8": done(
            contractor=ana,
            status_changed_at=at(29, 14, month=4),
            finance_cancelled_at=at(6, 11),
            finance_cancel_reason="Dispute",
        ),
    }
    # Not this week's: Sunday 11 PM EDT is the next week, Sunday May 3 10 PM the last one;
    # a Deposit job, an archived job and a Jobs-off office's job are out.
    done(status_changed_at=at(11, 3))
    done(status_changed_at=at(4, 2))
    make_job(status=Status.DEPOSIT, status_changed_at=at(5, 12))
    done(status_changed_at=at(5, 12), is_archived=True)
    done(
        status_changed_at=at(5, 12),
        office=OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False),
    )
    return jobs


def test_the_week_runs_from_sunday_11_pm_to_sunday_11_pm_new_york_time():
    assert week_window(WEEK) == (at(4, 3), at(11, 3))  # EDT: UTC−4
    assert week_window(datetime.date(2026, 1, 5)) == (
        datetime.datetime(2026, 1, 5, 4, 0, tzinfo=UTC),  # EST: UTC−5
        datetime.datetime(2026, 1, 12, 4, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("now", "week_start"),
    [
        (at(11, 3, 0), WEEK),  # Sunday 11:00 PM EDT: the beat's tick sends this week
        (at(11, 7, 0), WEEK),  # late (a worker down until 3 AM): still this week
        (at(11, 2, 59), datetime.date(2026, 4, 27)),  # not closed yet: the one before
    ],
)
def test_the_sunday_run_sends_the_week_that_has_just_closed(now, week_start):
    assert last_closed_week(now) == week_start


def test_per_contractor_numbers_match_the_hand_computed_week(week, mike, ana):
    report = build_weekly_report(WEEK)

    assert [party.name for party in report.contractors] == ["Ana Lopez", "Mike Hernandez"]
    ana_report, mike_report = report.contractors

    assert [line.job_id for line in mike_report.jobs] == [week[k].pk for k in ("j1", "j2", "j4")]
    assert [line.payout for line in mike_report.jobs] == [D("545.65"), D("760.50"), D("434.00")]
    assert [line.finance_cancelled for line in mike_report.jobs] == [False, False, True]
    assert mike_report.closing_total == D("2150.00")
    assert mike_report.parts_total == D("200.50")
    assert mike_report.payout_total == D("1306.15")
    assert mike_report.paid_total == D("545.65")
    assert mike_report.unpaid_total == D("760.50")
    assert [(item.line.job_id, item.amount) for item in mike_report.reimbursements] == [
        (week["j7"].pk, D("280.00")),
        (week["j4"].pk, D("434.00")),
    ]
    assert mike_report.reimbursement_total == D("714.00")
    assert mike_report.net_due == D("46.50")
    assert mike_report.email == "mike@contractors.test"

    assert [line.payout for line in ana_report.jobs] == [D("303.75"), D("66.68")]
    assert ana_report.closing_total == D("550.01")
    assert ana_report.payout_total == ana_report.unpaid_total == D("370.43")
    assert ana_report.reimbursements == []  # j8 was never paid
    assert ana_report.net_due == D("370.43")


def test_per_partner_numbers_match_the_hand_computed_week(week, gdq, house):
    report = build_weekly_report(WEEK)

    assert [party.name for party in report.partners] == ["BookBack Home", "GDQ"]
    house_report, gdq_report = report.partners

    assert [line.job_id for line in gdq_report.jobs] == [
        week[k].pk for k in ("j1", "j3", "j4", "j11", "j5")
    ]
    assert [line.partner_share for line in gdq_report.jobs] == [
        D("81.85"),
        D("35.44"),
        D("65.10"),
        D("105.00"),
        D("11.67"),
    ]
    assert gdq_report.closing_total == D("1750.01")
    assert gdq_report.parts_total == D("165.50")
    assert gdq_report.profit_total == D("668.43")
    assert gdq_report.share_total == D("233.96")
    assert gdq_report.paid_total == D("81.85")
    assert gdq_report.unpaid_total == D("152.11")
    assert [(item.line.job_id, item.amount) for item in gdq_report.reimbursements] == [
        (week["j4"].pk, D("65.10"))  # j7's partner was never paid
    ]
    assert gdq_report.net_due == D("87.01")

    assert house_report.share_total == house_report.paid_total == D("409.50")
    assert house_report.net_due == D("0.00")
    assert house_report.jobs[0].partner_paid_label == "Paid May 5 (Auto)"


def test_the_download_holds_only_what_the_user_may_see_on_finance(week, sliding, fiona):
    assert len(build_weekly_report(WEEK, user=fiona).contractors) == 2
    viewer = UserFactory(role=Role.VIEWER, offices=[sliding])
    assert len(build_weekly_report(WEEK, user=viewer).partners) == 2
    elsewhere = UserFactory(role=Role.FINANCE_ADMIN, offices=[OfficeFactory(name="Garage")])
    admin = UserFactory(role=Role.ADMIN, offices=[sliding])
    for user in (elsewhere, admin):
        report = build_weekly_report(WEEK, user=user)
        assert report.contractors == [] and report.partners == []


def test_the_contractor_email_lists_jobs_reimbursements_and_the_net_due(week, mike):
    report = build_weekly_report(WEEK)
    mike_report = report.contractors[1]

    subject, text, html = render_email(report, mike_report)

    assert subject == "Payment report — Mike Hernandez — week of May 4 – 10, 2026"
    j1, j4, j7 = (week[key].display_id for key in ("j1", "j4", "j7"))
    assert (
        f"- {j1} · Mon May 4 · Emily Harrison (GDQ): closing $900.00 − parts $120.50, "
        "profit 30% → payout $545.65 · Paid May 8 by Fiona Finch" in text
    )
    assert "finance-cancelled, not payable" in text
    assert f"- {j7} · Emily Harrison: cancelled May 6 (Refund) → you owe $280.00" in text
    assert f"- {j4} · Emily Harrison: cancelled May 9 (Chargeback — Card dispute)" in text
    assert "Net due to you:  $46.50" in text
    assert "&amp;" not in text and "&#" not in text  # plain text is not HTML-escaped
    assert "<td>Cancelled May 6: Refund</td>" in html
    assert "$46.50" in html and "Payout = (closing − parts) × (1 − profit %)" in html


def test_the_partner_email_shows_shares_and_keep_rate(week, gdq):
    report = build_weekly_report(WEEK)

    subject, text, html = render_email(report, report.partners[1])

    assert subject == "Payment report — GDQ — week of May 4 – 10, 2026"
    assert "Partner payment summary: GDQ (keeps 35%)" in text
    assert "Partner share:   $233.96" in text and "Net due:         $87.01" in text
    assert "keep rate (35%)" in html


def cell_values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_reads_back_with_every_line_and_total(week):
    report = build_weekly_report(WEEK)

    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))

    assert workbook.sheetnames == ["Contractors", "Contractor totals", "Partners", "Partner totals"]
    rows = cell_values(workbook["Contractors"])
    assert rows[0][:4] == ["Contractor", "Job", "Date", "Client"]
    j1 = rows[3]  # Ana's two jobs come first
    assert j1[:3] == ["Mike Hernandez", week["j1"].display_id, datetime.datetime(2026, 5, 4)]
    assert [D(str(value)) for value in j1[6:10]] == [D("900"), D("120.5"), D("30"), D("545.65")]
    assert j1[10] == "Paid May 8 by Fiona Finch"
    reimbursements = [row for row in rows if (row[11] or "").startswith("Reimbursement")]
    assert [D(str(row[9])) for row in reimbursements] == [D("-280"), D("-434")]
    assert len(rows) == 1 + 5 + 2  # header, 5 jobs, 2 reimbursements

    totals = {row[0]: row for row in cell_values(workbook["Contractor totals"])[1:]}
    assert [D(str(value)) for value in totals["Mike Hernandez"][5:]] == [
        D("1306.15"),
        D("545.65"),
        D("760.5"),
        D("714"),
        D("46.5"),
    ]
    assert workbook["Contractors"]["J2"].number_format == "#,##0.00"

    partners = {row[0]: row for row in cell_values(workbook["Partner totals"])[1:]}
    assert D(str(partners["GDQ"][6])) == D("233.96")
    assert D(str(partners["GDQ"][10])) == D("87.01")
    assert len(cell_values(workbook["Partners"])) == 1 + 6 + 1  # header, 6 jobs, j4's line


def test_one_partys_workbook_holds_only_that_party(week):
    report = build_weekly_report(WEEK)

    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(report.only(report.contractors[0]))))

    assert {row[0] for row in cell_values(workbook["Contractors"])[1:]} == {"Ana Lopez"}
    assert cell_values(workbook["Partners"]) == [cell_values(workbook["Partners"])[0]]
