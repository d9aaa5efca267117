"""Operational edits from the detail panel, and tags."""

import pytest
from django.core.exceptions import PermissionDenied

from crm.errors import DomainError
from crm.timeline.models import TimelineEntry
from jobs.models import Job
from jobs.services import change_address, set_tags, update_field
from tests.factories import JobFactory, JobTagFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(sliding):
    return JobFactory(office=sliding, first_name="Mike", phone="+13055550142")


def last_line(job) -> str:
    return TimelineEntry.objects.for_subject(job).latest("id").body


def test_an_agent_edits_client_details(agent, job):
    update_field(job=job, actor=agent, field="first_name", value="Michael")
    assert last_line(job) == "✏️ First name: Mike → Michael"
    update_field(job=job, actor=agent, field="phone", value="786 555 0173")
    job.refresh_from_db()
    assert (job.phone, job.phone_last10) == ("+17865550173", "7865550173")
    assert last_line(job) == "✏️ Phone changed to (786) 555-0173"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "123-123-1234", "not a valid phone number"),
        ("first_name", " ", "first name"),
        ("office", "Garage", "cannot be edited here"),
    ],
)
def test_bad_edits_change_nothing(agent, job, field, value, message):
    with pytest.raises(DomainError, match=message):
        update_field(job=job, actor=agent, field=field, value=value)
    assert not TimelineEntry.objects.for_subject(job).exists()


def test_a_new_address_moves_the_clock_and_the_area_snapshot(agent, job):
    dallas = ServiceAreaFactory(label="Dallas", area_code="214", office_address="1 Main St")
    change_address(
        job=job, actor=agent, street="2200 Ross Ave", zip_code="75201", service_area=dallas
    )
    job.refresh_from_db()
    assert (job.city, job.state, job.timezone) == ("Dallas", "TX", "America/Chicago")
    assert (job.area_code, job.office_address) == ("214", "1 Main St")
    assert last_line(job) == (
        "📍 Address: 100 Biscayne Blvd, Miami, FL 33132 → 2200 Ross Ave, Dallas, TX 75201"
        " · service area Dallas"
    )


def test_admins_tag_jobs_and_agents_cannot(agent, admin, job):
    vip, repeat = JobTagFactory(label="VIP"), JobTagFactory(label="Repeat")
    with pytest.raises(PermissionDenied):
        set_tags(job=job, actor=agent, tags=[vip])
    set_tags(job=job, actor=admin, tags=[vip, repeat])
    assert set(Job.objects.get(pk=job.pk).tags.all()) == {vip, repeat}
    assert last_line(job) == "🏷 Tags: Repeat, VIP"
