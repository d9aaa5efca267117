import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from leads.models import Lead, Status
from leads.services import change_status
from leads.services.working import next_snooze_slot
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

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
    post_status(agent_client, lead, status="needs_follow_up", next_contact="2036-12-01T09:30")
    lead.refresh_from_db()
    assert lead.status == Status.NEEDS_FOLLOW_UP
    assert lead.next_contact_at == datetime.datetime(2036, 12, 1, 17, 30, tzinfo=datetime.UTC)
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


# Callback statuses: a future next contact, offered from the source's snooze sequence.


@pytest.mark.parametrize("status", ["not_yet_scheduled", "needs_follow_up", "consultation_call"])
def test_the_action_refuses_a_callback_status_without_a_future_time(sliding, status):
    agent = UserFactory(role=Role.AGENT, offices=[sliding])
    lead = LeadFactory(office=sliding)
    for when in (None, timezone.now() - datetime.timedelta(minutes=1), timezone.now()):
        with pytest.raises(DomainError):
            change_status(lead=lead, actor=agent, status=status, next_contact_at=when)
    lead.refresh_from_db()
    assert (lead.status, lead.next_contact_at) == (Status.FRESH, None)
    soon = timezone.now() + datetime.timedelta(minutes=5)
    change_status(lead=lead, actor=agent, status=status, next_contact_at=soon)
    lead.refresh_from_db()
    assert (lead.status, lead.next_contact_at, lead.urgency) == (status, soon, "medium")


def test_an_overdue_lead_cannot_keep_its_past_time_as_a_consultation_call(agent_client, sliding):
    past = timezone.now() - datetime.timedelta(hours=3)
    lead = LeadFactory(office=sliding, status=Status.NEEDS_FOLLOW_UP, next_contact_at=past)
    assert lead.urgency == "high"
    stale = past.astimezone(lead.local_zone).strftime("%Y-%m-%dT%H:%M")
    panel = post_status(
        agent_client, lead, status="consultation_call", next_contact=stale
    ).content.decode()
    assert 'id="next-error-' in panel and "That time has passed" in panel
    lead.refresh_from_db()
    assert (lead.status, lead.next_contact_at) == (Status.NEEDS_FOLLOW_UP, past)


def test_the_next_slot_follows_the_sources_sequence_inside_calling_hours(sliding):
    lead = LeadFactory(office=sliding, source=lead_source("yelp"), call_count=1)
    steps = lead.source.snooze_steps
    # Noon in Miami: the second Yelp step (10 min) lands inside the window.
    noon = datetime.datetime(2036, 3, 4, 17, 0, 20, tzinfo=datetime.UTC)
    assert next_snooze_slot(lead, noon) == noon.replace(second=0) + datetime.timedelta(
        minutes=steps[1] + 1
    )
    # 8:55 PM in Miami: the slot would fall after 9 PM, so it moves to 9 AM the next day.
    evening = datetime.datetime(2036, 3, 5, 1, 55, tzinfo=datetime.UTC)
    slot = next_snooze_slot(lead, evening).astimezone(lead.local_zone)
    assert (slot.day, slot.hour, slot.minute) == (5, 9, 0)
    # The sequence used up: the last step again, never a time in the past.
    lead.call_count = len(steps) + 3
    assert next_snooze_slot(lead, noon) > noon + datetime.timedelta(minutes=steps[-1])


def test_the_panel_offers_the_next_snooze_slot_in_the_picker(agent_client, sliding):
    past = timezone.now() - datetime.timedelta(hours=3)
    overdue = LeadFactory(office=sliding, status=Status.NEEDS_FOLLOW_UP, next_contact_at=past)
    fresh = LeadFactory(office=sliding, source=lead_source("yelp"))
    for lead in (overdue, fresh):
        slot = next_snooze_slot(lead).astimezone(lead.local_zone).strftime("%Y-%m-%dT%H:%M")
        panel = agent_client.get(reverse("leads:detail", args=[lead.pk]), headers=HX)
        assert f'data-next-slot="{slot}"' in panel.content.decode()
    # A Fresh lead's picker holds the slot itself; a callback lead's holds its own time.
    assert f'value="{slot}" data-next-slot="{slot}"' in panel.content.decode()
    panel = agent_client.get(reverse("leads:detail", args=[overdue.pk]), headers=HX)
    own = past.astimezone(overdue.local_zone).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{own}" data-next-slot=' in panel.content.decode()


def test_a_blank_irrelevant_reason_is_said_beside_the_field(agent_client, sliding):
    lead = LeadFactory(office=sliding)
    panel = post_status(agent_client, lead, status="irrelevant", reason="  ").content.decode()
    assert 'id="reason-error-' in panel and "Say why the lead is irrelevant." in panel
    assert 'aria-describedby="reason-error-' in panel
    lead.refresh_from_db()
    assert lead.status == Status.FRESH
