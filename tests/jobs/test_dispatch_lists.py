"""Zones drive dispatch: Find Contractor, the K dialog and the New Job dropdown list a
priority zone's contractors first, in order and labelled, then the covering ones."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contractors.models import PriorityZone, PriorityZoneContractor
from jobs.models import Job
from tests.factories import ContractorFactory, JobFactory, JobTypeFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
MIAMI_DADE = [[25.6, -80.4], [25.6, -80.0], [26.0, -80.0], [26.0, -80.4]]
ORLANDO_ZONE = [[28, -82], [28, -81], [29, -81], [29, -82]]


@pytest.fixture
def zone(repair, miami, mike):
    """Miami-Dade garage: Zed (covers no pin) then Bea (covers Miami); Mike only covers."""
    sliding_type = JobTypeFactory(label="Sliding Door")
    zed = ContractorFactory(name="Zed Doors", job_types=[repair])
    bea = ContractorFactory(name="Bea Doors", job_types=[repair], service_areas=[miami])
    slides = ContractorFactory(name="Slides Only", job_types=[sliding_type], service_areas=[miami])
    zone = PriorityZone.objects.create(
        name="Miami-Dade garage", job_type=repair, polygon=MIAMI_DADE
    )
    for position, contractor in enumerate([zed, slides, bea], start=1):
        PriorityZoneContractor.objects.create(zone=zone, contractor=contractor, position=position)
    return zone


@pytest.fixture
def job(sliding, repair, gdq, miami):
    # JobFactory's address is Biscayne Blvd, inside Miami-Dade.
    return JobFactory(office=sliding, job_type=repair, source=gdq, service_area=miami)


def options(html: str) -> list[str]:
    """The contractor <option>s' text, the placeholder left out."""
    found = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)
    return [text.strip() for text in found]


ZONE_FIRST = [
    "Zed Doors — Priority 1 · Miami-Dade garage zone",
    "Bea Doors — Priority 2 · Miami-Dade garage zone",
    "Mike Hernandez — Covers Miami · 1 mi",
]


def test_find_contractor_lists_the_zone_first_in_order_with_its_label(client, agent, job, zone):
    client.force_login(agent)
    dialog = client.get(reverse("jobs:find_contractor", args=[job.pk]), headers=HX)
    assert options(dialog.content.decode()) == ZONE_FIRST
    assert "Slides Only" not in dialog.content.decode()  # in the zone, not of the job type


def test_a_zone_contractor_who_covers_no_pin_can_be_assigned(client, agent, job, zone):
    zed = zone.entries.get(position=1).contractor
    client.force_login(agent)
    client.post(reverse("jobs:find_contractor", args=[job.pk]), {"contractor": zed.pk}, headers=HX)
    assert Job.objects.get(pk=job.pk).contractor == zed


def test_a_zone_contractor_of_another_job_type_is_refused(client, agent, job, zone):
    slides = zone.entries.get(position=2).contractor
    client.force_login(agent)
    url = reverse("jobs:find_contractor", args=[job.pk])
    refused = client.post(url, {"contractor": slides.pk}, headers=HX)
    assert "Pick a contractor from the list." in refused.content.decode()
    assert Job.objects.get(pk=job.pk).contractor is None


def test_the_k_dialog_lists_the_zone_first_in_order_with_its_label(client, agent, job, zone):
    client.force_login(agent)
    dialog = client.get(reverse("jobs:k", args=[job.pk]), headers=HX).content.decode()
    assert options(dialog) == ZONE_FIRST


def test_the_new_job_dropdown_lists_the_zone_first_for_the_address(
    client, agent, repair, miami, zone
):
    client.force_login(agent)
    url = reverse("jobs:contractor_options")
    where = {"service_area": miami.pk, "job_type": repair.pk}
    by_point = client.get(url, {**where, "lat": "25.7783", "lng": "-80.1888"})
    assert options(by_point.content.decode()) == ZONE_FIRST
    by_zip = client.get(url, {**where, "zip_code": "33132"})  # no pin yet: the ZIP's centre
    assert options(by_zip.content.decode())[:2] == ZONE_FIRST[:2]
    bad_point = client.get(url, {**where, "lat": "x", "lng": "1e999"})  # the area alone
    assert options(bad_point.content.decode()) == [
        "Bea Doors — Covers Miami",
        "Mike Hernandez — Covers Miami",
    ]


def test_the_new_job_form_accepts_a_zone_contractor(
    client, agent, sliding, repair, gdq, miami, zone
):
    zed = zone.entries.get(position=1).contractor
    client.force_login(agent)
    data = {
        "office": sliding.pk,
        "first_name": "Emily",
        "phone": "(305) 555-0142",
        "street": "100 Biscayne Blvd",
        "zip_code": "33132",
        "lat": "25.7783",
        "lng": "-80.1888",
        "service_area": miami.pk,
        "job_type": repair.pk,
        "source": gdq.pk,
        "contractor": zed.pk,
        "date": "2026-05-02",
        "start_time": "09:00",
    }
    response = client.post(reverse("jobs:new"), data, headers=HX)
    assert response.status_code == 200 and not response.content, response.content.decode()
    assert Job.objects.get().contractor == zed


def test_a_job_outside_every_zone_lists_by_nearest_coverage_with_the_area_named(
    client, agent, sliding, repair, gdq, miami, mike
):
    PriorityZone.objects.create(name="Orlando garage", job_type=repair, polygon=ORLANDO_ZONE)
    lauderdale = ServiceAreaFactory(label="Fort Lauderdale", lat=26.1223, lng=-80.1434)
    ContractorFactory(name="Aa Lauderdale", job_types=[repair], service_areas=[lauderdale])
    orlando = ServiceAreaFactory(label="Orlando", lat=28.5383, lng=-81.3792)
    ContractorFactory(name="Far Orlando", job_types=[repair], service_areas=[orlando])
    # A Workiz import: an address, no service area picked.
    job = JobFactory(office=sliding, job_type=repair, source=gdq, service_area=None)
    client.force_login(agent)
    for name in ("find_contractor", "k"):
        dialog = client.get(reverse(f"jobs:{name}", args=[job.pk]), headers=HX).content.decode()
        assert options(dialog) == [
            "Mike Hernandez — Covers Miami · 1 mi",
            "Aa Lauderdale — Covers Fort Lauderdale · 24 mi",
        ]


def count_queries(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **kwargs).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name, expected",
    [("find_contractor", 7), ("k", 7), ("contractor_options", 5)],
)
def test_the_lists_are_a_fixed_number_of_queries(
    client, agent, job, zone, repair, miami, name, expected
):
    client.force_login(agent)
    if name == "contractor_options":
        url = reverse("jobs:contractor_options")
        kwargs = {"data": {"service_area": miami.pk, "job_type": repair.pk, "zip_code": "33132"}}
    else:
        url, kwargs = reverse(f"jobs:{name}", args=[job.pk]), {"headers": HX}
    before = count_queries(client, url, **kwargs)
    for position in range(4, 14):
        contractor = ContractorFactory(job_types=[repair], service_areas=[miami])
        PriorityZoneContractor.objects.create(zone=zone, contractor=contractor, position=position)
        ContractorFactory(job_types=[repair], service_areas=[miami])
    assert count_queries(client, url, **kwargs) == before == expected
