"""A job action refuses a job outside the actor's offices, whoever calls it (a view, a
task, an AI tool): the check sits inside the action, not only in the view."""

import pytest

from crm.accounts.models import Role
from crm.permissions import OutOfScope
from jobs.models import Job, Status
from jobs.services import archive_job, change_status, update_field
from tests.factories import JobFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "act",
    [
        lambda job, actor: update_field(job=job, actor=actor, field="first_name", value="Eve"),
        lambda job, actor: change_status(job=job, actor=actor, status=Status.CANCELLED),
        lambda job, actor: archive_job(job=job, actor=actor),
    ],
)
def test_an_action_on_another_offices_job_is_refused_and_changes_nothing(act):
    garage_job = JobFactory(office=OfficeFactory(name="Garage"), first_name="Ann")
    sliding_admin = UserFactory(role=Role.ADMIN, offices=[OfficeFactory(name="Sliding")])
    with pytest.raises(OutOfScope):
        act(garage_job, sliding_admin)
    job = Job.objects.get(pk=garage_job.pk)
    assert (job.first_name, job.status, job.is_archived) == ("Ann", Status.SUBMITTED, False)
