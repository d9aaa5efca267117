import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from leads.models import Lead, Status
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def sliding():
    return OfficeFactory(name="Sliding")


@pytest.fixture
def agent_client(client, sliding):
    client.force_login(UserFactory(role=Role.AGENT, first_name="Dana", offices=[sliding]))
    return client


def post_status(client, lead, **data):
    return client.post(reverse("leads:status", args=[lead.pk]), data, headers=HX)


@pytest.mark.parametrize("status", ["not_yet_scheduled", "needs_follow_up", "consultation_call"])
def test_callback_statuses_need_a_next_contact(agent_client, sliding, status):
    lead = LeadFactory(office=sliding)
    panel = post_status(agent_client, lead, status=status).content.decode()
    assert "needs the date and time of the next contact" in panel
    lead.refresh_from_db()
    assert lead.status == Status.FRESH


def test_the_next_contact_is_read_on_the_leads_own_clock(agent_client, sliding):
    lead = LeadFactory(office=sliding, timezone="America/Los_Angeles", zip_code="90210", state="CA")
    post_status(agent_client, lead, status="needs_follow_up", next_contact="2026-12-01T09:30")
    lead.refresh_from_db()
    assert lead.status == Status.NEEDS_FOLLOW_UP
    assert lead.next_contact_at == datetime.datetime(2026, 12, 1, 17, 30, tzinfo=datetime.UTC)
    entry = TimelineEntry.objects.for_subject(lead).get(kind="status")
    assert entry.body == "Status: Fresh → Needs a Follow Up · next contact Dec 1, 9:30 AM PST"


def test_irrelevant_needs_a_reason_which_reaches_timeline_audit_and_event(
    agent_client, sliding, django_capture_on_commit_callbacks
):
    lead = LeadFactory(office=sliding)
    assert (
        "Say why the lead is irrelevant."
        in post_status(agent_client, lead, status="irrelevant").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_status(agent_client, lead, status="irrelevant", reason="Wrong service")
    lead.refresh_from_db()
    assert (lead.status, lead.irrelevant_reason) == ("irrelevant", "Wrong service")
    assert (
        TimelineEntry.objects.for_subject(lead)
        .filter(body__endswith="reason: Wrong service")
        .exists()
    )
    assert AuditEvent.objects.get(kind="lead.status_changed").metadata["reason"] == "Wrong service"
    event = DomainEvent.objects.get(name="lead.status_changed")
    assert event.payload["reason"] == "Wrong service" and event.payload["new"] == "irrelevant"


def test_converting_in_a_jobs_off_office_shows_the_workiz_reminder(client):
    florida = OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    client.force_login(UserFactory(role=Role.AGENT, offices=[florida]))
    lead = LeadFactory(office=florida)
    panel = post_status(client, lead, status="converted").content.decode()
    assert "🔧 Open this job in Workiz" in panel
    panel = client.post(
        reverse("leads:workiz", args=[lead.pk]), {"job_number": "W-1881"}, headers=HX
    )
    assert "Opened in Workiz as job <strong>#W-1881</strong>" in panel.content.decode()
    lead.refresh_from_db()
    assert lead.workiz_job_number == "W-1881"


def test_converting_in_a_jobs_on_office_marks_converted_without_a_workiz_step(
    agent_client, sliding
):
    lead = LeadFactory(office=sliding)
    response = post_status(agent_client, lead, status="converted")
    assert "Workiz" not in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == Status.CONVERTED


def test_leaving_a_callback_status_clears_the_next_contact(agent_client, sliding):
    lead = LeadFactory(
        office=sliding, status=Status.NEEDS_FOLLOW_UP, next_contact_at=timezone.now()
    )
    post_status(agent_client, lead, status="converted")
    lead.refresh_from_db()
    assert lead.next_contact_at is None


def test_a_made_up_status_is_refused(agent_client, sliding):
    lead = LeadFactory(office=sliding)
    post_status(agent_client, lead, status="booked")
    assert Lead.objects.get(pk=lead.pk).status == Status.FRESH


def test_inline_edits_save_validate_and_note_the_timeline(agent_client, sliding):
    lead = LeadFactory(office=sliding, status=Status.CONVERTED, email="old@example.com")
    url = reverse("leads:field", args=[lead.pk, "email"])
    assert (
        "✓ Saved"
        in agent_client.post(url, {"value": "new@example.com"}, headers=HX).content.decode()
    )
    assert (
        "Enter a valid email address."
        in agent_client.post(url, {"value": "nope"}, headers=HX).content.decode()
    )
    phone_url = reverse("leads:field", args=[lead.pk, "phone"])
    refused = agent_client.post(phone_url, {"value": "123-123-1234"}, headers=HX).content.decode()
    assert "is not a valid phone number" in refused
    agent_client.post(
        reverse("leads:field", args=[lead.pk, "zip_code"]), {"value": "90210"}, headers=HX
    )
    lead.refresh_from_db()
    assert lead.email == "new@example.com"
    assert (lead.city, lead.state, lead.timezone, lead.metro) == (
        "Beverly Hills",
        "CA",
        "America/Los_Angeles",
        "Los Angeles, CA",
    )
    assert (
        TimelineEntry.objects.for_subject(lead)
        .filter(body="✏️ Email: old@example.com → new@example.com")
        .exists()
    )


def test_agents_cannot_move_a_lead_to_another_office(agent_client, sliding):
    lead = LeadFactory(office=sliding)
    other = OfficeFactory(name="Garage")
    response = agent_client.post(
        reverse("leads:field", args=[lead.pk, "office"]), {"value": other.pk}, headers=HX
    )
    assert response.status_code == 403


def test_an_unclaimed_phone_cannot_be_edited(agent_client, sliding):
    lead = LeadFactory(office=sliding)
    response = agent_client.post(
        reverse("leads:field", args=[lead.pk, "phone"]), {"value": "3055550100"}
    )
    assert response.status_code == 403


def test_viewers_cannot_change_anything(client, sliding):
    lead = LeadFactory(office=sliding)
    client.force_login(UserFactory(role=Role.VIEWER, offices=[sliding]))
    assert post_status(client, lead, status="converted").status_code == 403
    assert (
        client.post(
            reverse("leads:field", args=[lead.pk, "email"]), {"value": "x@y.com"}
        ).status_code
        == 403
    )
    panel = client.get(reverse("leads:detail", args=[lead.pk]), headers=HX).content.decode()
    assert "data-status-form" not in panel and "hx-post" not in panel
