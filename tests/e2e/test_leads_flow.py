import json

import pytest
from django.test import Client
from playwright.sync_api import expect

from leads.models import Lead, Status
from tests.factories import LeadFactory, OfficeFactory, lead_source


@pytest.fixture
def leads(people):
    garage = OfficeFactory(name="Garage")
    sliding = OfficeFactory(name="Sliding")
    OfficeFactory(name="General")
    return {
        "maria": LeadFactory(
            office=garage,
            first_name="Maria",
            last_name="Lopez",
            phone="+13055550142",
            phone_last10="3055550142",
            source=lead_source("yelp"),
        ),
        "john": LeadFactory(
            office=garage, first_name="John", last_name="Smith", source=lead_source("google")
        ),
        "sam": LeadFactory(office=sliding, first_name="Sam", last_name="Sliding"),
    }


def test_an_agent_filters_claims_logs_a_call_and_sets_a_follow_up(leads, sign_in, live_server):
    page = sign_in("agent@example.com")  # agent of the Garage office
    page.goto(f"{live_server.url}/leads")
    expect(page.locator("tr.lead-row")).to_have_count(2)  # Sam's office is not the agent's

    page.locator("summary#id_source").click()  # the Source dropdown
    page.locator("details:has(#id_source)").get_by_label("Yelp").check()
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tr.lead-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Maria Lopez")
    expect(rows.first).not_to_contain_text("555-0142")

    rows.first.click()
    panel = page.locator("#right-panel")
    expect(panel).to_have_class("panel-right is-open")
    panel.get_by_role("button", name="Show Number & Claim Lead").click()
    expect(panel).to_contain_text("(305) 555-0142")
    expect(panel).to_contain_text("Claimed by Omri")

    panel.get_by_role("button", name="Tried to Call").click()
    expect(panel).to_contain_text("Attempt 1 of 14")
    expect(panel).to_contain_text("Tried to call (attempt 1/14)")

    # A callback status offers the next snooze slot and saves once the agent confirms it.
    panel.get_by_label("Status").select_option("needs_follow_up")
    panel.get_by_role("button", name="Set callback").click()
    expect(panel).to_contain_text("Status: Fresh → Needs a Follow Up · next contact")
    picker = panel.get_by_label("Next contact")
    picker.fill("2030-01-15T10:30")
    panel.get_by_role("button", name="Set callback").click()
    expect(panel).to_contain_text("Next contact moved to Jan 15, 10:30 AM EST")
    lead = Lead.objects.get(pk=leads["maria"].pk)
    assert (
        lead.status == Status.NEEDS_FOLLOW_UP and lead.claimed_by is None and lead.call_count == 1
    )


def test_a_webhook_lead_appears_on_an_open_dashboard_without_reload(leads, sign_in, live_server):
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/leads")
    expect(page.locator("tr.lead-row")).to_have_count(3)
    title = page.title()

    response = Client().post(
        "/webhook/leads",
        json.dumps(
            {
                "full_name": "Webhook Wendy",
                "phone": "7865550111",
                "source": "facebook",
                "office": "Garage",
            }
        ),
        content_type="application/json",
        HTTP_X_WEBHOOK_SECRET="demo-secret",
    )
    assert response.json()["status"] == "success"

    first = page.locator("tr.lead-row").first
    expect(first).to_contain_text("Webhook Wendy", timeout=10_000)
    expect(page.locator("tr.lead-row")).to_have_count(4)
    expect(page).to_have_title(f"(1) {title}", timeout=3_000)
