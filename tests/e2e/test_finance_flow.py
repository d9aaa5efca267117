from decimal import Decimal

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Office
from jobs.models import Job, Status
from tests.factories import ContractorFactory, JobFactory, JobPartnerFactory


@pytest.fixture
def done_job(people):
    return JobFactory(
        office=Office.objects.get(name="Sliding"),
        first_name="Dana",
        last_name="Done",
        source=JobPartnerFactory(name="GDQ", keep_rate=Decimal("35")),
        contractor=ContractorFactory(name="Mike Hernandez"),
        status=Status.DONE,
        closing_total=Decimal("900.00"),
        parts_total=Decimal("120.50"),
        profit_share=Decimal("30.00"),
    )


def test_a_finance_admin_edits_closing_and_parts_and_sees_the_payout(
    done_job, sign_in, live_server
):
    page = sign_in("finance@example.com")
    page.goto(f"{live_server.url}/finance")
    row = page.locator("tr.finance-row", has_text="Dana Done")
    expect(row).to_contain_text("$545.65")
    row.locator("td").first.click()
    panel = page.locator("#right-panel")
    expect(panel).to_contain_text("Contractor payout $545.65")
    panel.get_by_label("Closing").fill("1000")
    panel.get_by_label("Closing").dispatch_event("change")
    expect(panel).to_contain_text("Contractor payout $615.65")
    panel.get_by_label("Parts").fill("200")
    panel.get_by_label("Parts").dispatch_event("change")
    expect(panel).to_contain_text("Contractor payout $560.00")
    expect(row).to_contain_text("$560.00")  # the list follows
    panel.get_by_role("button", name="○ Contractor paid").click()
    expect(panel.get_by_role("button", name="✓ Contractor paid")).to_be_visible()
    job = Job.objects.get(pk=done_job.pk)
    assert (job.closing_total, job.parts_total) == (Decimal("1000.00"), Decimal("200.00"))
    assert job.contractor_paid_at is not None


def test_a_viewer_sees_the_numbers_but_cannot_change_them(done_job, sign_in, live_server):
    page = sign_in("viewer@example.com")
    page.goto(f"{live_server.url}/finance")
    row = page.locator("tr.finance-row", has_text="Dana Done")
    row.locator("td").first.click()
    panel = page.locator("#right-panel")
    expect(panel).to_contain_text("Contractor payout $545.65")
    expect(panel.get_by_label("Closing")).to_be_disabled()
    expect(panel.get_by_role("button", name="○ Contractor paid")).to_be_disabled()
    expect(panel).not_to_contain_text("Finance-cancel")
    assert Job.objects.get(pk=done_job.pk).closing_total == Decimal("900.00")
