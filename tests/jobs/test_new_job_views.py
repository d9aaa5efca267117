"""➕ New Job through the form, and the lead → job conversion path."""

import json

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.timeline.models import TimelineEntry
from jobs.models import Job, Status
from leads.models import Status as LeadStatus
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW = reverse("jobs:new")
HX = {"HX-Request": "true"}


def form(sliding, repair, gdq, **overrides):
    data = {
        "office": sliding.pk,
        "first_name": "Emily",
        "last_name": "Harrison",
        "phone": "(305) 555-0142",
        "street": "100 Biscayne Blvd",
        "zip_code": "33132",
        "job_type": repair.pk,
        "source": gdq.pk,
        "date": "2026-05-02",
        "start_time": "09:00",
        "end_time": "",
    }
    data.update(overrides)
    return data


def test_an_agent_books_a_job_with_an_area_and_a_contractor(
    client, agent, sliding, repair, gdq, miami, mike
):
    client.force_login(agent)
    modal = client.get(NEW, {"lead": ""}, headers=HX).content.decode()
    assert "➕ New Job" in modal and "Create Job" in modal
    response = client.post(
        NEW, form(sliding, repair, gdq, service_area=miami.pk, contractor=mike.pk), headers=HX
    )
    # The toast fires after settle (a 200 that swaps nothing): it outlives the closed modal.
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert "closeModal" in json.loads(response["HX-Trigger"])
    assert (
        "JOB-3542 created for Emily Harrison."
        in json.loads(response["HX-Trigger-After-Settle"])["toast"]["text"]
    )
    job = Job.objects.get()
    assert job.display_id == "JOB-3542" and job.status == Status.SUBMITTED
    assert job.contractor == mike and job.area_code == "305"
    assert job.starts_at.astimezone(job.local_zone).hour == 9
    assert (job.ends_at - job.starts_at).total_seconds() == 2 * 3600  # end = start + 2h


def test_the_five_closest_areas_follow_the_zip_and_contractors_follow_area_and_type(
    client, agent, repair, miami, mike
):
    client.force_login(agent)
    cards = client.get(reverse("jobs:area_cards"), {"zip_code": "33132"}).content.decode()
    assert "Miami" in cards and 'name="service_area"' in cards
    options = reverse("jobs:contractor_options")
    assert (
        "Mike Hernandez"
        in client.get(options, {"service_area": miami.pk, "job_type": repair.pk}).content.decode()
    )
    assert (
        "Pick area + job type first"
        in client.get(options, {"job_type": repair.pk}).content.decode()
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"first_name": ""}, "A job needs the client&#x27;s first name."),
        ({"phone": "123-123-1234"}, "is not a valid phone number"),
        ({"job_type": ""}, "Pick the job type."),
        ({"source": ""}, "Pick the job source (Job Partner)."),
        ({"date": ""}, "Pick the date and time of the job."),
    ],
)
def test_a_bad_job_is_refused_and_burns_no_number(
    client, agent, sliding, repair, gdq, overrides, message
):
    client.force_login(agent)
    response = client.post(NEW, form(sliding, repair, gdq, **overrides), headers=HX)
    assert message in response.content.decode()
    assert not Job.objects.exists()
    client.post(NEW, form(sliding, repair, gdq), headers=HX)
    assert Job.objects.get().number == 3542


def test_an_empty_form_says_every_missing_field_beside_it_at_once(client, agent, sliding):
    client.force_login(agent)
    response = client.post(NEW, {"office": sliding.pk, "email": "not-an-email"}, headers=HX)
    html = response.content.decode()
    for message in (
        "A job needs the client&#x27;s first name.",
        "Enter a phone number.",
        "Pick the job type.",
        "Pick the job source (Job Partner).",
        "Pick the date and time of the job.",
        "Pick the time the job starts.",
        "Enter a valid email address.",
    ):
        assert message in html
    assert html.count('class="field field--error"') == 7
    assert not Job.objects.exists()


def test_another_office_is_refused(client, agent, repair, gdq):
    client.force_login(agent)
    garage = OfficeFactory(name="Garage")
    response = client.post(NEW, form(garage, repair, gdq), headers=HX)
    assert "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_readers_cannot_create(client, sliding, repair, gdq, role):
    client.force_login(UserFactory(role=role, offices=[sliding], partner_name="GDQ"))
    assert client.post(NEW, form(sliding, repair, gdq), headers=HX).status_code in (302, 403)
    assert not Job.objects.exists()


def test_converting_a_lead_opens_the_prefilled_form_and_links_both_ways(
    client, agent, sliding, repair, gdq
):
    lead = LeadFactory(
        office=sliding,
        first_name="Maria",
        last_name="Lopez",
        phone="+13055550177",
        zip_code="33132",
        service_type="Garage door spring",
        partner_name="gdq",
    )
    client.force_login(agent)
    converted = client.post(
        reverse("leads:status", args=[lead.pk]), {"status": "converted"}, headers=HX
    )
    board_url = converted["HX-Redirect"]
    assert board_url == f"/jobs?new_job_for_lead={lead.pk}"
    board = client.get(board_url).content.decode()
    assert f'hx-get="/jobs/new?lead={lead.pk}" hx-trigger="load"' in board
    modal = client.get(NEW, {"lead": lead.pk}, headers=HX).content.decode()
    assert 'value="Maria"' in modal and "Requested service: Garage door spring" in modal
    lead_panel = client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    assert "🛠 Open Job Creation" in lead_panel

    client.post(NEW, form(sliding, repair, gdq, lead=lead.pk, first_name="Maria"), headers=HX)
    job = Job.objects.get()
    assert job.lead == lead
    assert (
        TimelineEntry.objects.for_subject(lead)
        .filter(body=f"🛠 Job {job.display_id} created from this lead")
        .exists()
    )
    lead_panel = client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    assert f"Job {job.display_id}</a> booked from this lead" in lead_panel
    assert lead.__class__.objects.get(pk=lead.pk).status == LeadStatus.CONVERTED


def test_the_form_from_a_lead_preselects_its_job_partner_and_shows_the_phone_formatted(
    client, agent, sliding, gdq
):
    lead = LeadFactory(office=sliding, phone="+13055551007", partner_name="gdq")
    client.force_login(agent)
    modal = client.get(NEW, {"lead": lead.pk}, headers=HX).content.decode()
    assert f'<option value="{gdq.pk}" selected>GDQ</option>' in modal
    assert 'value="(305) 555-1007"' in modal and "+13055551007" not in modal
    assert "Pick the partner this job is for" not in modal
    # Marked pre-filled: an outside click asks before throwing the lead's fields away.
    assert "data-prefilled" in modal


def test_a_lead_whose_partner_is_no_job_partner_leaves_the_source_empty_with_a_hint(
    client, agent, sliding, gdq
):
    lead = LeadFactory(office=sliding, phone="+13055551007", partner_name="Angi")
    client.force_login(agent)
    modal = client.get(NEW, {"lead": lead.pk}, headers=HX).content.decode()
    assert f'<option value="{gdq.pk}" selected>GDQ' not in modal
    assert "Pick the partner this job is for (the lead came from “Angi”" in modal


def test_the_formatted_phone_posts_back_as_the_same_number(client, agent, sliding, repair, gdq):
    lead = LeadFactory(
        office=sliding, phone="+13055551007", partner_name="GDQ", status=LeadStatus.CONVERTED
    )
    client.force_login(agent)
    client.post(NEW, form(sliding, repair, gdq, lead=lead.pk, phone="(305) 555-1007"), headers=HX)
    assert Job.objects.get().phone == "+13055551007"


def test_a_blank_new_job_form_is_not_marked_prefilled_and_has_no_source_hint(client, agent):
    client.force_login(agent)
    modal = client.get(NEW, headers=HX).content.decode()
    assert "data-prefilled" not in modal and "Pick the partner this job is for" not in modal
