import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import Job
from jobs.services import archive_job, delete_job, restore_job
from tests.factories import JobFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(sliding):
    return JobFactory(office=sliding)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.OWNER])
def test_admins_archive_and_restore_with_one_note_and_one_audit_entry_each(sliding, job, role):
    user = UserFactory(role=role, offices=[sliding])

    archive_job(job=job, actor=user)

    job.refresh_from_db()
    assert job.is_archived and job.archived_by == user and job.archived_at is not None
    assert job not in Job.objects.visible_to(user)
    assert job in Job.objects.visible_to(user, archived=True)
    assert [entry.body for entry in TimelineEntry.objects.for_subject(job)] == ["📦 Archived"]
    assert AuditEvent.objects.filter(kind="job.archived").count() == 1

    archive_job(job=job, actor=user)  # Finance archiving the same job again changes nothing
    assert TimelineEntry.objects.for_subject(job).count() == 1
    assert AuditEvent.objects.filter(kind="job.archived").count() == 1

    restore_job(job=job, actor=user)

    job.refresh_from_db()
    assert not job.is_archived and job.archived_by is None
    assert job in Job.objects.visible_to(user)
    assert AuditEvent.objects.filter(kind="job.restored").count() == 1
    assert set(DomainEvent.objects.values_list("name", flat=True)) == {
        "job.archived",
        "job.restored",
    }


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER, Role.PARTNER])
def test_agents_viewers_and_partners_cannot_archive(sliding, job, role):
    with pytest.raises(PermissionDenied):
        archive_job(job=job, actor=UserFactory(role=role, offices=[sliding]))
    assert not Job.objects.get(pk=job.pk).is_archived


def test_only_the_owner_deletes_and_only_an_archived_job(sliding, job, owner):
    admin = UserFactory(role=Role.ADMIN, offices=[sliding])
    with pytest.raises(DomainError, match="Archive the job before"):
        delete_job(job=job, actor=owner)
    archive_job(job=job, actor=admin)
    with pytest.raises(PermissionDenied):
        delete_job(job=job, actor=admin)

    delete_job(job=job, actor=owner)

    assert not Job.objects.exists()
    assert not TimelineEntry.objects.filter(subject_type="job").exists()
    assert AuditEvent.objects.get(kind="job.deleted").metadata == {"job_id": job.pk}
