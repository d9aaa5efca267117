"""Find Contractor on a job without a service area points the dispatcher to where it is set."""

from playwright.sync_api import expect

from crm.accounts.models import Office
from tests.factories import JobFactory


def test_set_the_service_area_closes_the_dialog_and_opens_the_job(dispatch, sign_in, live_server):
    job = JobFactory(office=Office.objects.get(name="Garage"), service_area=None)
    page = sign_in("owner@example.com")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/jobs")
    page.evaluate(
        "url => htmx.ajax('GET', url, {target: '#modal-body'}).then(() => BookBack.openModal())",
        f"/jobs/{job.pk}/find-contractor",
    )
    dialog = page.locator("#modal-body")
    expect(dialog).to_contain_text("This job has no service area")

    dialog.get_by_role("button", name="📍 Set the service area").click()

    expect(page.locator("#right-panel")).to_have_class("panel-right is-open")
    expect(page.locator("#right-panel-body")).to_contain_text("Service area")
