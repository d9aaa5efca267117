"""Find Contractor, K-confirmation (with reassignment and a new profit snapshot), un-K."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import TimelineEntry
from jobs.models import Status
from jobs.services import (
    assign_contractor,
    clear_k_confirmation,
    contractor_choices,
    k_confirm,
)
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobTypeFactory,
    ServiceAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(sliding, gdq, repair, miami):
    return JobFactory(office=sliding, source=gdq, job_type=repair, service_area=miami)


@pytest.fixture
def joe(repair, miami):
    return ContractorFactory(name="Joe Smith", job_types=[repair], service_areas=[miami])


def last_line(job) -> str:
    return TimelineEntry.objects.for_subject(job).latest("id").body


def test_find_contractor_offers_active_contractors_of_the_area_and_the_type(
    job, mike, joe, repair, miami
):
    install = JobTypeFactory(label="Install")
    ContractorFactory(name="Installs Only", job_types=[install], service_areas=[miami])
    ContractorFactory(name="Orlando Co", job_types=[repair], service_areas=[ServiceAreaFactory()])
    ContractorFactory(name="Paused", job_types=[repair], service_areas=[miami], is_active=False)
    assert [c.name for c in contractor_choices(job).order_by("name")] == [
        "Joe Smith",
        "Mike Hernandez",
    ]


def test_a_job_without_a_service_area_is_matched_on_its_type_alone(sliding, repair, mike):
    ContractorFactory(name="Installs Only", job_types=[JobTypeFactory(label="Install")])
    job = JobFactory(office=sliding, job_type=repair, service_area=None)
    assert list(contractor_choices(job)) == [mike]


def test_assigning_snapshots_the_profit_share_and_leaves_k_pending(
    agent, job, mike, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assign_contractor(job=job, actor=agent, contractor=mike)

    job.refresh_from_db()
    assert job.contractor == mike
    assert job.profit_share == Decimal("35.00")  # secondary % for GDQ jobs
    assert not job.is_k_confirmed
    assert last_line(job) == "🔍 Contractor assigned: Mike Hernandez"
    entry = TimelineEntry.objects.for_subject(job).latest("id")
    assert entry.data["profit_share"] == "35.00"  # shown to staff only (the job panel)
    event = DomainEvent.objects.get(name="job.contractor_assigned")
    assert (event.payload["old"], event.payload["new"]) == (None, mike.pk)


def test_a_contractor_outside_the_filter_is_refused(agent, job, repair):
    stranger = ContractorFactory(name="Tampa Doors", job_types=[repair])
    with pytest.raises(DomainError, match="Tampa Doors doesn't cover"):
        assign_contractor(job=job, actor=agent, contractor=stranger)
    job.refresh_from_db()
    assert job.contractor is None


def test_k_confirming_the_assigned_contractor(agent, job, mike):
    assign_contractor(job=job, actor=agent, contractor=mike)

    k_confirm(job=job, actor=agent)

    job.refresh_from_db()
    assert job.is_k_confirmed and job.k_confirmed_by == agent
    assert last_line(job) == "✅ K-confirmed — Mike Hernandez accepted the job."
    assert DomainEvent.objects.filter(name="job.k_confirmed").count() == 1


def test_k_confirming_someone_else_reassigns_and_re_snapshots(agent, job, mike, joe):
    assign_contractor(job=job, actor=agent, contractor=mike)

    k_confirm(job=job, actor=agent, contractor=joe)

    job.refresh_from_db()
    assert (job.contractor, job.profit_share, job.is_k_confirmed) == (joe, Decimal("30.00"), True)
    assert last_line(job) == (
        "✅ K-confirmed — Joe Smith accepted the job. "
        "(Contractor changed: Mike Hernandez → Joe Smith)"
    )
    assert DomainEvent.objects.filter(name="job.contractor_assigned").count() == 2


def test_k_on_an_unassigned_job_asks_who_accepted(agent, job, mike):
    with pytest.raises(DomainError, match="Which contractor accepted"):
        k_confirm(job=job, actor=agent)
    k_confirm(job=job, actor=agent, contractor=mike)
    job.refresh_from_db()
    assert (job.contractor, job.profit_share, job.is_k_confirmed) == (mike, Decimal("35"), True)


def test_un_k_clears_the_confirmation(agent, job, mike):
    k_confirm(job=job, actor=agent, contractor=mike)

    clear_k_confirmation(job=job, actor=agent)

    job.refresh_from_db()
    assert not job.is_k_confirmed and job.k_confirmed_by is None
    assert job.contractor == mike
    assert last_line(job) == "K-confirmation cleared"
    assert DomainEvent.objects.filter(name="job.k_cleared").exists()


def test_changing_the_contractor_of_a_k_confirmed_job_needs_a_new_k(agent, job, mike, joe):
    k_confirm(job=job, actor=agent, contractor=mike)
    assign_contractor(job=job, actor=agent, contractor=joe)
    job.refresh_from_db()
    assert job.contractor == joe and not job.is_k_confirmed


def test_an_assigned_done_job_keeps_its_contractor_in_place(agent, sliding, repair, mike):
    job = JobFactory(office=sliding, job_type=repair, status=Status.DONE, contractor=mike)
    assign_contractor(job=job, actor=agent, contractor=mike)  # the same one: nothing to do
    assert not TimelineEntry.objects.for_subject(job).exists()


def test_viewers_cannot_dispatch(job, mike, sliding):
    viewer = UserFactory(role=Role.VIEWER, offices=[sliding])
    with pytest.raises(PermissionDenied):
        k_confirm(job=job, actor=viewer, contractor=mike)
    with pytest.raises(PermissionDenied):
        assign_contractor(job=job, actor=viewer, contractor=mike)
