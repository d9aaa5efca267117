"""📊 Reports in a real browser: the owner opens the modal from the topbar, switches tabs,
periods and offices, reads a chart's numbers and downloads them; a user whose offices all
have Jobs off has no Jobs tab. Screenshots at 1366x900 of both tabs and the email."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.models import Office, Role
from crm.reports.email import render_report_email
from crm.reports.periods import period_for
from crm.reports.queries import report_for_everyone
from jobs.models import Status as JobStatus
from leads.models import Status
from tests.factories import JobFactory, JobPartnerFactory, LeadFactory, UserFactory, lead_source

SHOTS = Path("/work/plan/shots")
WIDTH, HEIGHT = 1366, 900


@pytest.fixture
def activity(people):
    """This week's leads in Sliding and Garage, and a few jobs."""
    sliding, garage = Office.objects.get(name="Sliding"), Office.objects.get(name="Garage")
    now = timezone.now()
    statuses = [Status.FRESH, Status.CONVERTED, Status.IRRELEVANT, Status.NEEDS_FOLLOW_UP]
    for index in range(12):
        LeadFactory(
            office=sliding if index % 3 else garage,
            source=lead_source("google" if index % 2 else "facebook"),
            status=statuses[index % len(statuses)],
            received_at=now - datetime.timedelta(seconds=index),
        )
    partner = JobPartnerFactory(name="GDQ")
    for index, status in enumerate([JobStatus.DONE, JobStatus.DONE, JobStatus.CANCELLED]):
        JobFactory(
            office=sliding if index else garage,
            source=partner,
            status=status,
            closing_total=Decimal("850.00") if status == JobStatus.DONE else None,
        )


def _overflowing(page) -> list[str]:
    """What is wider than its box: the modal or one of its cards."""
    return page.evaluate(
        "[...document.querySelectorAll('#modal, #modal-body, #modal-body .card')]"
        ".filter((el) => el.scrollWidth > el.clientWidth + 1)"
        ".map((el) => `${el.id || el.className}: ${el.scrollWidth} > ${el.clientWidth}`)"
    )


def _total_leads(page) -> str:
    tile = page.locator("#modal-body .kpi", has_text="Total Leads")
    return tile.locator(".kpi__value").inner_text()


def test_the_owner_reads_both_tabs_switches_periods_and_offices_and_downloads_numbers(
    activity, sign_in, live_server
):
    page = sign_in("owner@example.com")
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(f"{live_server.url}/leads")
    page.get_by_role("link", name="📊 Reports").click()
    modal = page.locator("#modal-body")
    expect(modal.get_by_text("leads received in the period")).to_be_visible()
    expect(modal.locator(".kpi", has_text="Total Leads")).to_contain_text("12")
    expect(modal).to_contain_text("(ET)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports-leads.png"))
    page.locator("#modal").evaluate("(backdrop) => backdrop.scrollTo(0, backdrop.scrollHeight)")
    page.screenshot(path=str(SHOTS / "reports-leads-tables.png"))  # the agent and speed tables
    assert _overflowing(page) == []

    modal.get_by_role("link", name="🔧 Jobs").click()
    expect(modal.get_by_text("jobs created in the period").first).to_be_visible()
    expect(modal.locator(".kpi", has_text="Total Jobs")).to_contain_text("3")
    expect(modal).to_contain_text("finance-cancelled")
    page.screenshot(path=str(SHOTS / "reports-jobs.png"))
    assert _overflowing(page) == []

    modal.get_by_role("link", name="📥 Leads").click()
    modal.get_by_role("link", name="This Month").click()
    expect(modal.get_by_role("link", name="This Month")).to_have_attribute("aria-current", "true")
    modal.get_by_role("link", name="Today").click()
    expect(modal.get_by_role("link", name="Today")).to_have_attribute("aria-current", "true")
    expect(modal.locator(".kpi", has_text="Total Leads")).to_contain_text("12")

    # One office: only its four leads count, and the dropdown stays open for the next pick.
    modal.locator("#report-office").click()
    modal.get_by_label("Garage").check()
    expect(modal.locator(".kpi", has_text="Total Leads")).to_contain_text("4")
    expect(modal.locator("details.multiselect")).to_have_attribute("open", "")
    expect(modal.locator("#report-office")).to_have_text("1 selected")
    modal.get_by_role("link", name="This Week").click()  # the office choice carries over
    expect(modal.get_by_role("link", name="This Week")).to_have_attribute("aria-current", "true")
    expect(modal.locator(".kpi", has_text="Total Leads")).to_contain_text("4")
    assert _total_leads(page) == "4"

    numbers = modal.locator("details.report-numbers[data-block=by_source]")
    numbers.get_by_text("Show numbers").click()
    expect(numbers.locator("table")).to_be_visible()
    expect(numbers.locator("table")).to_contain_text("Source")
    numbers.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "reports-numbers.png"))
    with page.expect_download() as info:
        numbers.get_by_role("link", name="⬇ Download .xlsx").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Source", "Leads"]
    assert sum(count for _, count in rows[1:]) == 4  # Garage's leads only

    modal.get_by_role("link", name="Custom").click()
    expect(modal.get_by_label("From")).to_be_visible()
    modal.get_by_label("From").fill("2026-01-01")
    modal.get_by_label("to", exact=True).fill("2025-12-01")
    modal.get_by_role("button", name="Show").click()
    expect(modal.get_by_role("alert")).to_contain_text("on or before the end date")


def test_a_user_whose_offices_all_have_jobs_off_sees_no_jobs_tab(activity, sign_in, live_server):
    UserFactory(
        email="joes@example.com",
        role=Role.AGENT,
        offices=[Office.objects.get(name="Joes Doors FL")],
    )
    page = sign_in("joes@example.com")
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.get_by_role("link", name="📊 Reports").click()
    modal = page.locator("#modal-body")
    expect(modal.get_by_role("link", name="📥 Leads")).to_be_visible()
    expect(modal.get_by_role("link", name="🔧 Jobs")).to_have_count(0)
    expect(modal.locator(".kpi", has_text="Total Leads")).to_contain_text("0")


def test_the_emailed_report_renders_in_a_browser_within_its_width(activity, page, tmp_path):
    report = report_for_everyone(period_for("week"))
    _, html = render_report_email(report, title="Weekly report")
    email = tmp_path / "reports-email.html"
    email.write_text(html)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(email.as_uri())
    expect(page.get_by_text("Total Leads")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / "reports-email.png"), full_page=True)
