import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role, User
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import Job, Status
from jobs.services import create_job, create_job_from_lead, initial_from_lead
from leads.models import Status as LeadStatus
from tests.factories import (
    ContractorFactory,
    JobPartnerFactory,
    JobTagFactory,
    LeadFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_an_agent_books_a_submitted_job_placed_by_its_zip(agent, new_job, starts_at):
    job = create_job(actor=agent, **new_job())

    job.refresh_from_db()
    assert job.status == Status.SUBMITTED
    assert job.phone == "+13055550142" and job.phone_last10 == "3055550142"
    assert (job.city, job.state, job.timezone) == ("Miami", "FL", "America/New_York")
    assert job.lat == pytest.approx(25.78, abs=0.05)
    assert job.ends_at - job.starts_at == datetime.timedelta(hours=2)
    assert job.company == "Sliding"  # the office, when no brand is given
    assert job.created_by == agent


def test_the_job_s_clock_comes_from_its_zip_or_else_its_state(agent, new_job):
    dallas = create_job(actor=agent, **new_job(zip_code="75201"))
    fresno = create_job(actor=agent, **new_job(zip_code="", state="CA"))
    nowhere = create_job(actor=agent, **new_job(zip_code="", state=""))
    assert dallas.timezone == "America/Chicago"
    assert fresno.timezone == "America/Los_Angeles"
    assert nowhere.timezone == "America/New_York"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"first_name": ""}, "A job needs the client's first name."),
        ({"phone": "123-123-1234"}, "123-123-1234 is not a valid phone number."),
        ({"phone": ""}, "Enter a phone number."),
        ({"job_type": None}, "Pick the job type."),
        ({"source": None}, "Pick the job source (Job Partner)."),
        ({"starts_at": None}, "Pick the date and time of the job."),
    ],
)
def test_a_job_missing_what_the_form_requires_is_refused(agent, new_job, override, message):
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_job(actor=agent, **new_job(**override))
    assert not Job.objects.exists()


def test_a_window_ending_before_it_starts_is_refused(agent, new_job, starts_at):
    with pytest.raises(DomainError, match="end after it starts"):
        create_job(actor=agent, **new_job(ends_at=starts_at - datetime.timedelta(hours=1)))


def test_the_office_must_be_one_of_the_agents_with_jobs_on(agent, new_job):
    with pytest.raises(DomainError, match="not one of your offices"):
        create_job(actor=agent, **new_job(office=OfficeFactory(name="Garage")))
    agent.offices.add(florida := OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False))
    agent = User.objects.get(pk=agent.pk)  # a fresh user: its office list is cached
    with pytest.raises(DomainError, match="Jobs feature is off for Joes Doors FL"):
        create_job(actor=agent, **new_job(office=florida))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_viewers_and_partners_cannot_create_jobs(sliding, new_job, role):
    user = UserFactory(role=role, offices=[sliding], partner_name="GDQ")
    with pytest.raises(PermissionDenied):
        create_job(actor=user, **new_job())


def test_creating_writes_timeline_audit_and_the_job_created_event(
    agent, new_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = create_job(actor=agent, **new_job())

    entry = TimelineEntry.objects.for_subject(job).get()
    assert entry.body == "🛠 Job created (Submitted)"
    assert entry.subject_label == "JOB-3542 Emily Harrison"
    assert AuditEvent.objects.get(kind="job.created").text == (
        "JOB-3542 created: Emily Harrison (Sliding)"
    )
    event = DomainEvent.objects.get(name="job.created")
    assert event.payload["job"] == job.pk
    assert event.payload["snapshot"]["DisplayId"] == "JOB-3542"
    assert "webhooks" not in event.payload  # the webhooks map events to their slots
    assert event.partner_name == "GDQ"


def test_a_contractor_picked_at_booking_gets_the_profit_share_snapshot(agent, new_job, miami, mike):
    job = create_job(actor=agent, **new_job(service_area=miami, contractor=mike))
    assert job.contractor == mike
    assert job.profit_share == Decimal("35.00")  # Mike's secondary % for GDQ jobs
    assert (job.area_code, job.office_address) == ("305", "1 Brickell Ave, Miami, FL")
    assert not job.is_k_confirmed


def test_a_contractor_who_doesnt_cover_the_area_is_refused(agent, new_job, miami, repair):
    elsewhere = ContractorFactory(name="Tampa Doors", job_types=[repair])
    with pytest.raises(DomainError, match="Tampa Doors doesn't cover"):
        create_job(actor=agent, **new_job(service_area=miami, contractor=elsewhere))


def test_tags_are_set_at_booking(agent, new_job):
    vip = JobTagFactory(label="VIP")
    job = create_job(actor=agent, tags=[vip], **new_job())
    assert list(job.tags.all()) == [vip]


def test_a_converted_lead_becomes_a_linked_job_noted_on_the_leads_timeline(
    agent, sliding, repair, starts_at
):
    JobPartnerFactory(name="GDQ")
    lead = LeadFactory(
        office=sliding,
        status=LeadStatus.CONVERTED,
        partner_name="gdq",
        zip_code="33101",
        service_type="Sliding door off track",
        first_name="Sarah",
        last_name="Kim",
        phone="+13055550199",
    )
    initial = initial_from_lead(lead)
    assert initial["source"].name == "GDQ"
    assert initial["notes"] == "ZIP: 33101\nRequested service: Sliding door off track"
    assert (initial["office"], initial["first_name"], initial["phone"]) == (
        sliding,
        "Sarah",
        "+13055550199",
    )

    job = create_job_from_lead(
        actor=agent, lead=lead, **initial, job_type=repair, starts_at=starts_at
    )

    assert job.lead == lead
    assert list(lead.jobs.all()) == [job]
    lead_lines = TimelineEntry.objects.for_subject(lead).values_list("body", flat=True)
    assert "🛠 Job JOB-3542 created from this lead" in lead_lines
    assert TimelineEntry.objects.for_subject(job).get().body == (
        f"🛠 Job created (Submitted) from lead {lead.display_id}"
    )


def test_only_a_converted_lead_gets_a_job(agent, sliding, new_job):
    lead = LeadFactory(office=sliding)
    with pytest.raises(DomainError, match="Convert the lead"):
        create_job_from_lead(actor=agent, lead=lead, **new_job())
