"""HTMX answers: an expired session goes to /login (HX-Redirect), toasts outlive the modal."""

import json

import pytest
from django.http import HttpResponse
from django.urls import reverse

from crm.accounts.models import Role
from crm.htmx import toast_after_settle
from jobs.services import archive_job
from tests.factories import JobFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/jobs?dates=all"}


def test_an_htmx_request_without_a_session_sends_the_page_to_login(client):
    response = client.get(reverse("jobs:new"), headers=HX)
    assert response.status_code == 200 and not response.content  # no login form in a panel
    assert response["HX-Redirect"] == "/login?next=/jobs%3Fdates%3Dall"


def test_an_htmx_post_without_a_session_changes_nothing_and_goes_to_login(client):
    response = client.post(reverse("jobs:new"), {"first_name": "Emily"}, headers=HX)
    assert response["HX-Redirect"].startswith("/login?next=")


def test_a_plain_request_without_a_session_still_gets_the_redirect(client):
    response = client.get(reverse("jobs:dashboard"))
    assert response.status_code == 302 and response["Location"] == "/login?next=/jobs"


def test_a_signed_in_htmx_request_is_answered_as_before(client):
    sliding = OfficeFactory(name="Sliding")
    client.force_login(UserFactory(role=Role.AGENT, offices=[sliding]))
    response = client.get(reverse("jobs:new"), headers=HX)
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert "Create Job" in response.content.decode()


def test_a_toast_on_an_answer_with_nothing_to_swap_waits_for_the_settle():
    response = toast_after_settle(HttpResponse(status=204), "Saved.", level="success")
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "toast": {"text": "Saved.", "level": "success"}
    }


def test_restoring_a_job_closes_the_modal_and_toasts_after_settle(client):
    sliding = OfficeFactory(name="Sliding")
    admin = UserFactory(role=Role.ADMIN, offices=[sliding])
    job = JobFactory(office=sliding)
    archive_job(job=job, actor=admin)
    client.force_login(admin)
    response = client.post(reverse("jobs:restore", args=[job.pk]), headers=HX)
    assert "closeModal" in json.loads(response["HX-Trigger"])
    toast = json.loads(response["HX-Trigger-After-Settle"])["toast"]
    assert toast["text"] == f"{job.display_id} restored to the board."
