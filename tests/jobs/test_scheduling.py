"""Schedule edits (📅 line) and the 🔁 Rebook variants."""

import datetime
from decimal import Decimal

import pytest

from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import Job
from jobs.services import change_schedule, k_confirm, rebook
from tests.factories import ContractorFactory, JobFactory

pytestmark = pytest.mark.django_db
MAY_2_9AM = datetime.datetime(2026, 5, 2, 13, 0, tzinfo=datetime.UTC)  # EDT
MAY_5_9AM = datetime.datetime(2026, 5, 5, 13, 0, tzinfo=datetime.UTC)
TWO_HOURS = datetime.timedelta(hours=2)


@pytest.fixture
def job(sliding, gdq, repair, miami):
    return JobFactory(
        office=sliding,
        source=gdq,
        job_type=repair,
        service_area=miami,
        starts_at=MAY_2_9AM,
        ends_at=MAY_2_9AM + TWO_HOURS,
    )


@pytest.fixture
def joe(repair, miami):
    return ContractorFactory(
        name="Joe Smith", job_types=[repair], service_areas=[miami], profit_share=25
    )


def last_line(job) -> str:
    return TimelineEntry.objects.for_subject(job).latest("id").body


def test_a_schedule_edit_writes_old_and_new_windows_in_local_time(agent, job):
    starts = datetime.datetime(2026, 5, 3, 18, 0, tzinfo=datetime.UTC)  # 14:00 EDT
    change_schedule(job=job, actor=agent, starts_at=starts, ends_at=starts + TWO_HOURS)

    job.refresh_from_db()
    assert job.starts_at == starts
    assert last_line(job) == (
        "📅 Schedule changed: 2026-05-02 09:00–11:00 → 2026-05-03 14:00–16:00"
    )
    assert DomainEvent.objects.filter(name="job.schedule_changed").exists()
    assert job.rebooked_at is None


def test_a_schedule_edit_keeps_k(agent, job, mike):
    k_confirm(job=job, actor=agent, contractor=mike)
    change_schedule(job=job, actor=agent, starts_at=MAY_5_9AM, ends_at=MAY_5_9AM + TWO_HOURS)
    assert Job.objects.get(pk=job.pk).is_k_confirmed


def test_a_schedule_must_end_after_it_starts(agent, job):
    with pytest.raises(DomainError, match="end after it starts"):
        change_schedule(job=job, actor=agent, starts_at=MAY_5_9AM, ends_at=MAY_5_9AM)


def test_rebooking_the_window_stamps_it_and_clears_k(agent, job, mike):
    k_confirm(job=job, actor=agent, contractor=mike)

    rebook(job=job, actor=agent, starts_at=MAY_5_9AM, ends_at=MAY_5_9AM + TWO_HOURS)

    job.refresh_from_db()
    assert (job.starts_at, job.contractor) == (MAY_5_9AM, mike)
    assert job.rebooked_by == agent and job.rebooked_at is not None
    assert not job.is_k_confirmed
    assert last_line(job) == "🔁 Rebooked — new window May 5 9am–11am · K-confirmation cleared"
    assert AuditEvent.objects.filter(kind="job.rebooked").count() == 1
    assert DomainEvent.objects.filter(name="job.rebooked").count() == 1
    assert not DomainEvent.objects.filter(name="job.contractor_assigned").exclude(payload__old=None)


def test_rebooking_the_contractor_re_snapshots_the_profit_share(agent, job, mike, joe):
    k_confirm(job=job, actor=agent, contractor=mike)

    rebook(job=job, actor=agent, contractor=joe)

    job.refresh_from_db()
    assert (job.contractor, job.profit_share, job.starts_at) == (joe, Decimal("25"), MAY_2_9AM)
    assert not job.is_k_confirmed
    assert last_line(job) == "🔁 Rebooked — new contractor: Joe Smith · K-confirmation cleared"
    assert DomainEvent.objects.filter(name="job.contractor_assigned").count() == 2


def test_rebooking_both(agent, job, mike, joe):
    rebook(
        job=job,
        actor=agent,
        starts_at=MAY_5_9AM + datetime.timedelta(minutes=30),
        ends_at=MAY_5_9AM + TWO_HOURS,
        contractor=joe,
    )
    assert (
        last_line(job) == "🔁 Rebooked — new window May 5 9:30am–11am · new contractor: Joe Smith"
    )


def test_rebooking_neither_is_a_marker_only(agent, job):
    rebook(job=job, actor=agent)
    job.refresh_from_db()
    assert job.rebooked_at is not None and job.starts_at == MAY_2_9AM
    assert last_line(job) == "🔁 Rebooked"
    assert Job.objects.filter(rebooked_at__isnull=False).get() == job


def test_rebooking_to_a_contractor_outside_the_filter_changes_nothing(agent, job, repair):
    stranger = ContractorFactory(name="Tampa Doors", job_types=[repair])
    with pytest.raises(DomainError, match="Tampa Doors doesn't cover"):
        rebook(
            job=job,
            actor=agent,
            starts_at=MAY_5_9AM,
            ends_at=MAY_5_9AM + TWO_HOURS,
            contractor=stranger,
        )
    job.refresh_from_db()
    assert job.rebooked_at is None and job.starts_at == MAY_2_9AM


def test_a_new_window_needs_both_ends(agent, job):
    with pytest.raises(DomainError, match="start and the end"):
        rebook(job=job, actor=agent, starts_at=MAY_5_9AM)
