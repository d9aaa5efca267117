"""The job detail panel and its dialogs, through the views: what each role may do, what a
refusal looks like, and that every action lands."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from crm.accounts.models import Role
from crm.timeline.models import TimelineEntry
from jobs.models import Job, Status
from tests.factories import (
    CancelReasonFactory,
    ContractorFactory,
    JobFactory,
    JobTagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def job(sliding, repair, gdq, miami):
    return JobFactory(office=sliding, job_type=repair, source=gdq, service_area=miami)


def url(name, job):
    return reverse(f"jobs:{name}", args=[job.pk])


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_panel_shows_the_job_and_hides_contractor_contact_from_partners(client, job, mike):
    job.contractor = mike
    job.save()
    mike.contact_phone = "+13055550142"
    mike.save()
    staff = signed_in(client, UserFactory(role=Role.VIEWER, offices=[job.office])).get(
        url("detail", job)
    )
    assert "Mike Hernandez" in staff.content.decode() and "(305) 555-0142" in staff.content.decode()
    assert "Set status" not in staff.content.decode()  # viewers read only
    partner = signed_in(client, UserFactory(role=Role.PARTNER, partner_name="GDQ"))
    html = partner.get(url("detail", job)).content.decode()
    assert "Mike Hernandez" in html and "(305) 555-0142" not in html and "+13055550142" not in html


def test_a_status_without_its_fields_is_refused_and_nothing_changes(client, agent, job):
    response = signed_in(client, agent).post(url("status", job), {"status": "deposit"}, headers=HX)
    assert "Deposit needs a note." in response.content.decode()
    assert "HX-Trigger" not in response
    assert Job.objects.get(pk=job.pk).status == Status.SUBMITTED


def test_an_agent_moves_a_job_to_deposit_and_the_board_refreshes(client, agent, job):
    response = signed_in(client, agent).post(
        url("status", job),
        {
            "status": "deposit",
            "note": "Parts ordered",
            "expected_completion": "2026-05-09",
            "deposit_amount": "250",
        },
        headers=HX,
    )
    assert "bookback:changed" in json.loads(response["HX-Trigger"])
    job.refresh_from_db()
    assert job.status == Status.DEPOSIT and job.deposit_amount == 250


def test_cancelling_needs_a_reason_and_a_cancelled_job_warns_before_reopening(client, agent, job):
    reason = CancelReasonFactory(label="Customer cancelled")
    client = signed_in(client, agent)
    client.post(url("status", job), {"status": "cancelled", "cancel_reason": reason.pk}, headers=HX)
    panel = client.get(url("detail", job)).content.decode()
    assert escape("⚠ This job is cancelled. Picking another status will re-open it") in panel
    client.post(url("status", job), {"status": "submitted"}, headers=HX)
    assert Job.objects.get(pk=job.pk).status == Status.SUBMITTED


def test_k_confirm_then_clear(client, agent, job, mike):
    job.contractor = mike
    job.save()
    client = signed_in(client, agent)
    dialog = client.get(url("k", job), headers=HX).content.decode()
    assert "Did <strong>Mike Hernandez</strong> accept the job" in dialog
    done = client.post(url("k", job), {"contractor": ""}, headers=HX)
    assert done.status_code == 204 and "closeModal" in json.loads(done["HX-Trigger"])
    assert Job.objects.get(pk=job.pk).k_confirmed_at is not None
    assert "Clear K-confirmation?" in client.get(url("k", job), headers=HX).content.decode()
    client.post(url("k", job), {"clear": "1"}, headers=HX)
    assert Job.objects.get(pk=job.pk).k_confirmed_at is None


def test_find_contractor_offers_only_eligible_ones_and_assigns(client, agent, job, mike, repair):
    ContractorFactory(name="Elsewhere Doors", job_types=[repair])  # covers no area of this job
    client = signed_in(client, agent)
    dialog = client.get(url("find_contractor", job), headers=HX).content.decode()
    assert "Mike Hernandez" in dialog and "Elsewhere Doors" not in dialog
    refused = client.post(url("find_contractor", job), {"contractor": ""}, headers=HX)
    assert "Pick a contractor from the list." in refused.content.decode()
    client.post(url("find_contractor", job), {"contractor": mike.pk}, headers=HX)
    job.refresh_from_db()
    assert job.contractor == mike and job.profit_share == 35  # GDQ job: the secondary %


def test_rebook_moves_the_window_and_clears_k(client, agent, job, mike):
    job.contractor, job.k_confirmed_at = mike, job.starts_at
    job.save()
    client = signed_in(client, agent)
    form = client.get(url("rebook", job), headers=HX).content.decode()
    assert 'name="starts_at"' in form and "Change contractor" in form
    new_start = job.starts_at.astimezone(job.local_zone) + datetime.timedelta(days=2)
    client.post(
        url("rebook", job),
        {
            "change_window": "on",
            "starts_at": f"{new_start:%Y-%m-%dT%H:%M}",
            "ends_at": f"{new_start + datetime.timedelta(hours=2):%Y-%m-%dT%H:%M}",
        },
        headers=HX,
    )
    job.refresh_from_db()
    assert job.rebooked_at is not None and job.k_confirmed_at is None
    assert job.starts_at.astimezone(job.local_zone).day == new_start.day


def test_a_schedule_edit_is_read_on_the_jobs_clock_and_logged(client, agent, job):
    client = signed_in(client, agent)
    client.post(
        url("schedule", job),
        {"starts_at": "2026-06-02T09:00", "ends_at": "2026-06-02T11:00"},
        headers=HX,
    )
    job.refresh_from_db()
    assert job.starts_at == datetime.datetime(2026, 6, 2, 13, 0, tzinfo=datetime.UTC)  # 9 AM EDT
    assert (
        TimelineEntry.objects.for_subject(job)
        .filter(body__startswith="📅 Schedule changed")
        .exists()
    )


def test_archive_is_admin_and_up_and_restore_brings_it_back(client, agent, admin, job):
    denied = signed_in(client, agent).post(url("archive", job), headers=HX)
    assert denied.status_code == 403 and not Job.objects.get(pk=job.pk).is_archived
    client = signed_in(client, admin)
    client.post(url("archive", job), headers=HX)
    assert Job.objects.get(pk=job.pk).is_archived
    assert job.display_id in client.get(reverse("jobs:archived"), headers=HX).content.decode()
    client.post(url("restore", job), headers=HX)
    assert not Job.objects.get(pk=job.pk).is_archived


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_readers_cannot_act(client, job, mike, role):
    user = UserFactory(role=role, offices=[job.office], partner_name="GDQ")
    client = signed_in(client, user)
    for name, data in [
        ("status", {"status": "in_progress"}),
        ("k", {"contractor": mike.pk}),
        ("find_contractor", {"contractor": mike.pk}),
        ("rebook", {}),
        ("field", {"field": "notes", "value": "hacked"}),
    ]:
        assert client.post(url(name, job), data, headers=HX).status_code == 403
    job.refresh_from_db()
    assert job.status == Status.SUBMITTED and job.contractor is None and job.notes == ""


def test_client_fields_address_and_tags_are_edited_from_the_panel(client, admin, job, miami):
    vip = JobTagFactory(label="VIP")
    client = signed_in(client, admin)
    bad = client.post(url("field", job), {"field": "phone", "value": "123-123-1234"}, headers=HX)
    assert "is not a valid phone number" in bad.content.decode()
    client.post(url("field", job), {"field": "last_name", "value": "Harrison-Lee"}, headers=HX)
    client.post(
        url("address", job),
        {
            "street": "1 Brickell Ave",
            "city": "Miami",
            "state": "FL",
            "zip_code": "33131",
            "service_area": miami.pk,
        },
        headers=HX,
    )
    client.post(url("tags", job), {"tags": [vip.pk]}, headers=HX)
    job.refresh_from_db()
    assert job.last_name == "Harrison-Lee" and job.phone != "+11231231234"
    assert job.address == "1 Brickell Ave, Miami, FL 33131" and job.service_area == miami
    assert list(job.tags.all()) == [vip]


def test_agents_cannot_tag(client, agent, job):
    vip = JobTagFactory(label="VIP")
    response = signed_in(client, agent).post(url("tags", job), {"tags": [vip.pk]}, headers=HX)
    assert response.status_code == 403 and not job.tags.exists()
