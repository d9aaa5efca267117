"""✅ Converting a lead → a job, at 1366×900: the New Job form pre-filled (Job source, phone
as a person reads it), guarded against a stray outside click, and gone from the URL so a
reload after Create Job never reopens it."""

from playwright.sync_api import expect

from contractors.models import JobPartner
from crm.accounts.models import Office
from jobs.models import Job
from tests.factories import LeadFactory


def test_a_converted_lead_opens_a_prefilled_guarded_form_that_a_reload_never_reopens(
    dispatch, people, sign_in, live_server, page
):
    page.set_viewport_size({"width": 1366, "height": 900})
    LeadFactory(
        office=Office.objects.get(name="Garage"),
        first_name="Maria",
        last_name="Lopez",
        phone="+13055551007",
        phone_last10="3055551007",
        zip_code="33132",
        service_type="Spring replacement",
        partner_name="GDQ",
    )
    sign_in("agent@example.com")
    page.goto(f"{live_server.url}/leads")
    page.locator("tr.lead-row").first.click()
    panel = page.locator("#right-panel")
    panel.get_by_role("button", name="Show Number & Claim Lead").click()
    panel.get_by_label("Status").select_option("converted")

    modal = page.locator("#modal-body")
    expect(modal.get_by_label("First name")).to_have_value("Maria")
    expect(modal.get_by_label("Job source")).to_have_value(str(JobPartner.objects.get().pk))
    expect(modal.get_by_label("Phone")).to_have_value("(305) 555-1007")
    # The form is open: the URL no longer asks for it.
    expect(page).to_have_url(f"{live_server.url}/jobs")

    # A click on the backdrop asks first; dismissing keeps the lead's fields.
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#modal").click(position={"x": 5, "y": 5})
    expect(page.locator("#modal")).to_have_class("modal-backdrop is-open")
    assert asked == ["Close without saving?"]
    expect(modal.get_by_label("Phone")).to_have_value("(305) 555-1007")

    modal.get_by_label("Job type").select_option(label="Garage Door")
    modal.get_by_label("Date").fill("2030-05-02")
    modal.get_by_label("From").fill("09:00")
    modal.get_by_role("button", name="Create Job").click()
    expect(page.locator("#modal")).to_have_class("modal-backdrop")  # saved and closed
    expect(page.locator(".toast")).to_contain_text("created for Maria Lopez")
    assert Job.objects.get().phone == "+13055551007"
    assert "new_job_for_lead" not in page.url

    page.reload()
    expect(page.locator(".jobs-table")).to_be_visible()
    page.wait_for_timeout(500)  # time enough for a load-triggered form to come back
    expect(page.locator("#modal")).to_have_class("modal-backdrop")
    expect(modal.locator("form[data-new-job]")).to_have_count(0)
    assert Job.objects.count() == 1
