"""📦 A Deposit job's expected completion date, edited later from the panel (spec: Job
statuses, "Expected Completion Changed")."""

import datetime
import json

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import TimelineEntry
from jobs.models import Job, Status
from jobs.services import change_expected_completion
from tests.factories import JobFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
MAY_9 = datetime.date(2026, 5, 9)


@pytest.fixture
def deposit_job(sliding, gdq):
    return JobFactory(
        office=sliding,
        source=gdq,
        status=Status.DEPOSIT,
        expected_completion=MAY_9,
        deposit_amount=150,
    )


def url(job):
    return reverse("jobs:expected_completion", args=[job.pk])


def test_an_agent_moves_the_date_from_the_panel(client, agent, deposit_job):
    client.force_login(agent)
    response = client.post(url(deposit_job), {"expected_completion": "2026-05-20"}, headers=HX)

    assert "bookback:changed" in json.loads(response["HX-Trigger"])
    assert "📦 Expected completion: May 9, 2026 → May 20, 2026" in response.content.decode()
    deposit_job.refresh_from_db()
    assert deposit_job.expected_completion == datetime.date(2026, 5, 20)
    assert TimelineEntry.objects.for_subject(deposit_job).latest("id").body == (
        "📦 Expected completion: May 9, 2026 → May 20, 2026"
    )
    event = DomainEvent.objects.get(name="job.expected_completion_changed")
    assert (event.payload["old"], event.payload["new"]) == ("2026-05-09", "2026-05-20")
    assert event.payload["snapshot"]["ExpectedCompletionDate"] == "2026-05-20"
    assert event.actor == agent and event.office_id == deposit_job.office_id


def test_the_panel_offers_the_edit_for_deposit_jobs_only(client, agent, deposit_job, sliding, gdq):
    client.force_login(agent)
    detail = reverse("jobs:detail", args=[deposit_job.pk])
    assert "Change expected completion" in client.get(detail).content.decode()
    submitted = JobFactory(office=sliding, source=gdq)
    html = client.get(reverse("jobs:detail", args=[submitted.pk])).content.decode()
    assert "Change expected completion" not in html


def test_only_a_deposit_job_has_a_date_to_move(agent, sliding, gdq):
    job = JobFactory(office=sliding, source=gdq, status=Status.DONE)
    with pytest.raises(DomainError, match="Only a Deposit job"):
        change_expected_completion(job=job, actor=agent, expected_completion=MAY_9)
    assert not DomainEvent.objects.filter(name="job.expected_completion_changed").exists()


def test_the_same_date_changes_nothing(agent, deposit_job):
    change_expected_completion(job=deposit_job, actor=agent, expected_completion=MAY_9)
    assert not DomainEvent.objects.filter(name="job.expected_completion_changed").exists()


def test_a_missing_date_is_refused_on_the_panel(client, agent, deposit_job):
    client.force_login(agent)
    response = client.post(url(deposit_job), {"expected_completion": ""}, headers=HX)
    assert "Pick the new expected completion date." in response.content.decode()
    assert Job.objects.get(pk=deposit_job.pk).expected_completion == MAY_9


def test_viewers_cannot_move_it(client, deposit_job, sliding):
    client.force_login(UserFactory(role=Role.VIEWER, offices=[sliding]))
    response = client.post(url(deposit_job), {"expected_completion": "2026-05-20"}, headers=HX)
    assert response.status_code == 403
    assert Job.objects.get(pk=deposit_job.pk).expected_completion == MAY_9
