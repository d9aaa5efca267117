import json

from playwright.sync_api import expect

from contractors.models import JobPartner
from crm.accounts.models import Office
from jobs.models import Job
from tests.factories import (
    LeadFactory,
)


def test_convert_a_lead_book_k_confirm_and_rebook(dispatch, people, sign_in, live_server):
    garage_office = Office.objects.get(name="Garage")
    LeadFactory(
        office=garage_office,
        first_name="Maria",
        last_name="Lopez",
        phone="+13055550142",
        phone_last10="3055550142",
        zip_code="33132",
        service_type="Spring replacement",
        partner_name="GDQ",
    )
    page = sign_in("agent@example.com")
    page.goto(f"{live_server.url}/leads")
    page.locator("tr.lead-row").first.click()
    panel = page.locator("#right-panel")
    panel.get_by_role("button", name="Show Number & Claim Lead").click()
    panel.get_by_label("Status").select_option("converted")

    # Straight to the Jobs page, the New Job form open and pre-filled from the lead.
    page.wait_for_url("**/jobs?new_job_for_lead=*")
    modal = page.locator("#modal-body")
    expect(modal.get_by_label("First name")).to_have_value("Maria")
    expect(modal.get_by_label("Notes")).to_have_value(
        "ZIP: 33132\nRequested service: Spring replacement"
    )
    expect(modal.locator(".area-card")).to_contain_text(["Miami"])
    # The job's own pin never hides in a cluster, even beside a service area's pin.
    expect(modal.locator('.map-pin[data-area="address"]')).to_be_visible()
    modal.locator(".area-card").first.click()
    modal.get_by_label("Job type").select_option(label="Garage Door")
    expect(modal.get_by_label("Job source")).to_have_value(str(JobPartner.objects.get().pk))
    modal.get_by_label("Date").fill("2030-05-02")
    modal.get_by_label("From").fill("09:00")
    modal.get_by_label("From").dispatch_event("change")
    expect(modal.get_by_label("To", exact=True)).to_have_value("11:00")
    modal.get_by_role("button", name="Create Job").click()
    expect(page.locator("#modal")).not_to_have_class("modal-backdrop is-open")  # saved

    row = page.locator("tr.job-row", has_text="Maria Lopez")
    page.get_by_label("Dates").select_option("all")
    page.get_by_role("button", name="Filter").click()
    expect(row).to_contain_text("FIND CONTRACTOR")
    attention = page.locator("#attention-toggle")
    expect(attention).to_contain_text("Needs Attention (1)")

    row.get_by_role("button", name="K").click()
    dialog = page.locator("#modal-body")
    expect(dialog).to_contain_text("Which contractor accepted")
    # Each option names why it is listed ("Mike Hernandez — Covers Miami · 1 mi").
    mike = dialog.locator("option", has_text="Mike Hernandez").get_attribute("value")
    dialog.get_by_label("Contractor").select_option(mike)
    dialog.get_by_role("button", name="Mark as Accepted").click()
    expect(row).to_contain_text("Mike Hernandez")
    expect(row.get_by_role("button", name="✓ K")).to_be_visible()
    expect(attention).to_contain_text("Needs Attention (0)")

    row.click()
    page.locator("#right-panel").get_by_role("button", name="🔁 Rebook").click()
    dialog.get_by_label("Change date / time").check()
    dialog.get_by_role("button", name="🔁 Rebook").click()
    expect(row).to_contain_text("🔁")
    expect(row.get_by_role("button", name="K", exact=True)).to_be_visible()  # K cleared
    job = Job.objects.get()
    assert job.lead.first_name == "Maria" and job.rebooked_at and job.k_confirmed_at is None


BRICKELL = {
    "lat": 25.7617,
    "lng": -80.1918,
    "address_components": [
        {"long_name": "1", "short_name": "1", "types": ["street_number"]},
        {"long_name": "Brickell Avenue", "short_name": "Brickell Ave", "types": ["route"]},
        {"long_name": "Miami", "short_name": "Miami", "types": ["locality", "political"]},
        {"long_name": "Florida", "short_name": "FL", "types": ["administrative_area_level_1"]},
        {"long_name": "33131", "short_name": "33131", "types": ["postal_code"]},
    ],
}


def test_with_a_google_key_the_address_autocompletes_and_places_the_job(
    dispatch, people, google_maps, sign_in, live_server
):
    page = sign_in("agent@example.com")
    page.goto(f"{live_server.url}/jobs")
    page.get_by_role("link", name="+ New Job").click()
    modal = page.locator("#modal-body")
    page.wait_for_function("() => window.fakePlaces && window.fakePlaces.length === 1")
    page.evaluate(f"window.fakePlaces[0].choose({json.dumps(BRICKELL)})")
    expect(modal.get_by_label("Address", exact=True)).to_have_value("1 Brickell Avenue")
    expect(modal.get_by_label("City")).to_have_value("Miami")
    expect(modal.get_by_label("State")).to_have_value("FL")
    expect(modal.get_by_label("ZIP")).to_have_value("33131")
    expect(modal.locator(".area-card")).to_contain_text(["Miami"])  # the closest by the point
    expect(modal.locator("#new-job-map .fake-marker")).to_have_count(2)  # the area + the address
