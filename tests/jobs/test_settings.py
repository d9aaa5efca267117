"""CP → Job Settings: Cancel Reasons, Job Tags, Jobs Attentions, Auto Status Change."""

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from jobs.models import JobsSettings, Status
from jobs.services import (
    delete_cancel_reason,
    delete_job_tag,
    save_cancel_reason,
    save_job_tag,
    update_jobs_settings,
)
from tests.factories import JobFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_defaults_ask_for_an_update_after_4_hours_with_auto_status_off():
    jobs_settings = JobsSettings.load()
    assert jobs_settings.ask_for_update_hours == 4
    assert not jobs_settings.auto_advance_enabled


def test_the_owner_sets_attentions_and_the_auto_status_offices(owner):
    garage, sliding = OfficeFactory(name="Garage"), OfficeFactory(name="Sliding")
    update_jobs_settings(
        actor=owner,
        ask_for_update_hours=6,
        auto_advance_enabled=True,
        auto_advance_offices=[sliding, garage],
    )
    jobs_settings = JobsSettings.load()
    assert jobs_settings.ask_for_update_hours == 6 and jobs_settings.auto_advance_enabled
    assert set(jobs_settings.auto_advance_offices.all()) == {garage, sliding}
    assert AuditEvent.objects.get(kind="settings.changed").text == (
        "Jobs settings: ask for update after 6 h; auto status change on (Garage, Sliding)"
    )
    with pytest.raises(DomainError, match="between 1 and 168"):
        update_jobs_settings(
            actor=owner, ask_for_update_hours=0, auto_advance_enabled=False, auto_advance_offices=[]
        )


def test_cancel_reasons_are_unique_and_kept_while_used(owner):
    reason = save_cancel_reason(actor=owner, label="  Client  no-show ", sort_order=1)
    assert reason.label == "Client no-show"
    with pytest.raises(DomainError, match="already exists"):
        save_cancel_reason(actor=owner, label="client NO-SHOW")
    JobFactory(status=Status.CANCELLED, cancel_reason=reason)
    with pytest.raises(DomainError, match="keep it"):
        delete_cancel_reason(actor=owner, reason=reason)


def test_job_tags_have_a_hex_colour(owner):
    with pytest.raises(DomainError, match="#rrggbb"):
        save_job_tag(actor=owner, label="VIP", color="red")
    tag = save_job_tag(actor=owner, label="VIP", color="#FF0000")
    assert tag.color == "#ff0000"
    job = JobFactory()
    job.tags.add(tag)
    delete_job_tag(actor=owner, tag=tag)
    assert not job.tags.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT])
def test_job_settings_are_owner_only(role):
    user = UserFactory(role=role)
    with pytest.raises(PermissionDenied):
        save_job_tag(actor=user, label="VIP", color="#ff0000")
    with pytest.raises(PermissionDenied):
        update_jobs_settings(
            actor=user, ask_for_update_hours=4, auto_advance_enabled=True, auto_advance_offices=[]
        )
