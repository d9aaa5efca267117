"""A partner login walks its Leads and Jobs in Chromium at 1366x900: its own records with
data, nothing of another partner's, no contractor contact, no money, no staff list."""

from pathlib import Path

from playwright.sync_api import expect

from contractors.models import JobPartner
from crm.accounts.models import Office
from tests.factories import ContractorFactory, JobFactory, JobPartnerFactory, LeadFactory

SHOTS = Path("/tmp/shots/partner")


def test_a_partner_walks_its_leads_and_jobs(dispatch, people, sign_in, live_server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    sliding = Office.objects.get(name="Sliding")
    gdq, raful = JobPartner.objects.get(name="GDQ"), JobPartnerFactory(name="Raful")
    mike = ContractorFactory(
        name="Mike Hernandez Doors",
        contact_name="Mike Senior",
        contact_phone="+13055550199",
        report_email="mike@hernandez-doors.com",
        profit_share=35,
    )
    JobFactory(office=sliding, source=gdq, first_name="Gina", last_name="Garcia", contractor=mike)
    JobFactory(office=sliding, source=gdq, first_name="Gary", last_name="Gold")
    JobFactory(office=sliding, source=raful, first_name="Rita", last_name="Rivera")
    LeadFactory(office=sliding, first_name="Gail", last_name="Grant", partner_name="GDQ")
    LeadFactory(office=sliding, first_name="Rhea", last_name="Ross", partner_name="Raful")

    sign_in("partner@example.com")
    page.goto(f"{live_server.url}/leads")
    rows = page.locator("tr.lead-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Gail")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "leads.png")
    rows.first.click()
    panel = page.locator("#right-panel")
    expect(panel).to_contain_text("Gail")
    expect(panel.get_by_role("button", name="Show Number & Claim Lead")).to_have_count(0)

    page.goto(f"{live_server.url}/jobs")
    jobs = page.locator("tr.job-row")
    expect(jobs).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Rita Rivera")
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits
    page.locator("#filter_source").click()
    sources = page.locator("details:has(#filter_source) label")
    expect(sources).to_have_text(["GDQ"])  # no other partner's name
    page.screenshot(path=SHOTS / "jobs.png")

    page.locator("tr.job-row", has_text="Gina Garcia").click()
    panel = page.locator("#right-panel")
    expect(panel).to_contain_text("Mike Hernandez Doors")
    page.wait_for_function(  # slid fully in
        "() => document.querySelector('#right-panel').getBoundingClientRect().right"
        " <= window.innerWidth"
    )
    page.screenshot(path=SHOTS / "job_panel.png")
    text = panel.inner_text()
    for secret in ("Mike Senior", "555-0199", "mike@hernandez-doors.com", "profit share"):
        assert secret not in text
    expect(panel.get_by_role("button", name="K")).to_have_count(0)
