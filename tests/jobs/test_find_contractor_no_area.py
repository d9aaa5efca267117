"""🔍 Find Contractor on a job with no service area says so and offers to set one."""

import pytest
from django.urls import reverse

from tests.factories import JobFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
SET_AREA = "📍 Set the service area"


def dialog(client, user, job) -> str:
    client.force_login(user)
    return client.get(reverse("jobs:find_contractor", args=[job.pk]), headers=HX).content.decode()


def test_a_job_with_an_address_but_no_area_lists_by_distance_and_offers_to_set_it(
    client, agent, sliding, repair, mike
):
    job = JobFactory(office=sliding, job_type=repair, service_area=None)  # a Miami address
    html = dialog(client, agent, job)

    assert (
        "This job has no service area: contractors are listed by distance from its address." in html
    )
    assert SET_AREA in html
    assert f'hx-get="{reverse("jobs:detail", args=[job.pk])}"' in html
    assert "Mike Hernandez" in html


def test_a_job_with_no_area_and_no_address_asks_for_the_area(client, agent, sliding, repair):
    job = JobFactory(
        office=sliding, job_type=repair, service_area=None, zip_code="", lat=None, lng=None
    )
    html = dialog(client, agent, job)

    assert "Set the job's service area to see who covers it." in html
    assert SET_AREA in html
    assert "listed by distance" not in html


def test_a_job_with_an_area_shows_no_hint(client, agent, sliding, repair, miami, mike):
    job = JobFactory(office=sliding, job_type=repair, service_area=miami)
    html = dialog(client, agent, job)

    assert "Active contractors who cover Miami and do Repair." in html
    assert SET_AREA not in html and "no service area" not in html
