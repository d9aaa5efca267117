"""Contractors at scale: 2,000 contractors over 1,000 service areas. The contractors page,
the map's data and the 5-closest-areas query against their raw SQL in the same run; query
counts."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contractors.matching import closest_service_areas
from contractors.models import Contractor, JobType, ServiceArea
from crm.accounts.models import Role
from tests.bench.test_leads import interleaved_medians
from tests.factories import UserFactory

pytestmark = [pytest.mark.bench]
CONTRACTORS, AREAS = 2_000, 1_000


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        rng = random.Random(11)
        types = [
            JobType.objects.create(label=label, sort_order=n)
            for n, label in enumerate(["Garage Door", "Sliding Door", "Patio Door", "HVAC"])
        ]
        areas = ServiceArea.objects.bulk_create(
            ServiceArea(
                label=f"Area {n}",
                zip_code="33101",
                city="Miami",
                state="FL",
                lat=25 + rng.random() * 10,
                lng=-90 + rng.random() * 10,
            )
            for n in range(AREAS)
        )
        contractors = Contractor.objects.bulk_create(
            Contractor(name=f"Contractor {n} LLC", contact_name=f"Person {n}", profit_share=30)
            for n in range(CONTRACTORS)
        )
        Contractor.job_types.through.objects.bulk_create(
            Contractor.job_types.through(contractor=c, jobtype=rng.choice(types))
            for c in contractors
        )
        Contractor.service_areas.through.objects.bulk_create(
            Contractor.service_areas.through(contractor=c, servicearea=area)
            for c in contractors
            for area in rng.sample(areas, 5)
        )
        yield {"owner": UserFactory(role=Role.OWNER, email="bench-contractors@example.com")}
        Contractor.objects.all().delete()
        ServiceArea.objects.all().delete()
        JobType.objects.all().delete()


def replay(sql_list):
    def run():
        with connection.cursor() as cursor:
            for sql in sql_list:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return run


def report(label, action, target_queries):
    with CaptureQueriesContext(connection) as captured:
        action()
    statements = [query["sql"] for query in captured.captured_queries]
    page, sql = interleaved_medians(action, replay(statements))
    ratio = page / sql
    print(
        f"\n{label}: {page * 1000:.1f} ms vs its raw SQL {sql * 1000:.1f} ms → {ratio:.2f}x "
        f"(target ≤ 3x); {len(statements)} queries (target ≤ {target_queries})"
    )
    return ratio, len(statements)


@pytest.mark.django_db
def test_contractors_page_and_closest_areas_stay_near_their_sql(client, seeded):
    client.force_login(seeded["owner"])
    url = reverse("contractors:list")
    client.get(url)
    page_ratio, page_queries = report("contractors page (2,000)", lambda: client.get(url), 10)
    map_url = reverse("contractors:map_data")
    map_ratio, map_queries = report("map data (1,000 pins)", lambda: client.get(map_url), 10)
    closest_ratio, closest_queries = report(
        "5 closest of 1,000 areas", lambda: closest_service_areas(26.1, -80.2), 10
    )
    assert page_queries <= 10 and map_queries <= 10 and closest_queries <= 10
    if connection.vendor == "postgresql":
        assert page_ratio <= 3 and map_ratio <= 3 and closest_ratio <= 3
