"""dispatch_candidates: a priority zone's contractors first, in its order, then nearest
coverage, each with the reason it is listed."""

import pytest

from contractors.matching import dispatch_candidates
from contractors.models import PriorityZone, PriorityZoneContractor
from tests.factories import ContractorFactory, JobTypeFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

MIAMI = (25.7791, -80.1978)
JOB_POINT = (25.7783, -80.1888)  # Biscayne Blvd, Miami
ORLANDO = (28.5383, -81.3792)
MIAMI_DADE = [[25.6, -80.4], [25.6, -80.0], [26.0, -80.0], [26.0, -80.4]]


@pytest.fixture
def garage(db):
    return JobTypeFactory(label="Garage Door")


@pytest.fixture
def areas(db):
    return {
        "miami": ServiceAreaFactory(label="Miami", lat=MIAMI[0], lng=MIAMI[1]),
        "lauderdale": ServiceAreaFactory(label="Fort Lauderdale", lat=26.1223, lng=-80.1434),
        "orlando": ServiceAreaFactory(label="Orlando", lat=ORLANDO[0], lng=ORLANDO[1]),
    }


def zone_of(name, job_type, contractors, polygon=MIAMI_DADE):
    zone = PriorityZone.objects.create(name=name, job_type=job_type, polygon=polygon)
    for position, contractor in enumerate(contractors, start=1):
        PriorityZoneContractor.objects.create(zone=zone, contractor=contractor, position=position)
    return zone


def listed(candidates):
    return [(c.contractor.name, c.reason) for c in candidates]


def test_a_point_in_a_zone_lists_its_contractors_first_in_order_then_the_covering_ones(
    garage, areas
):
    covering = ContractorFactory(
        name="Aaron Doors", job_types=[garage], service_areas=[areas["miami"]]
    )
    second = ContractorFactory(name="Bea Doors", job_types=[garage], service_areas=[areas["miami"]])
    first = ContractorFactory(name="Zed Doors", job_types=[garage])  # in the zone, covers no pin
    zone_of("Miami-Dade garage", garage, [first, second])

    candidates = dispatch_candidates(JOB_POINT, garage, service_area=areas["miami"])

    assert listed(candidates) == [
        ("Zed Doors", "Priority 1 · Miami-Dade garage zone"),
        ("Bea Doors", "Priority 2 · Miami-Dade garage zone"),
        ("Aaron Doors", "Covers Miami · 1 mi"),
    ]
    assert [c.rank for c in candidates] == [1, 2, None]
    assert candidates[2].contractor == covering and candidates[2].area == areas["miami"]


def test_zone_contractors_of_another_job_type_or_paused_are_not_listed(garage, areas):
    sliding = JobTypeFactory(label="Sliding Door")
    other_type = ContractorFactory(name="Slides Only", job_types=[sliding])
    paused = ContractorFactory(name="Paused Doors", job_types=[garage], is_active=False)
    kept = ContractorFactory(name="Kept Doors", job_types=[garage])
    zone_of("Miami-Dade garage", garage, [other_type, paused, kept])

    assert listed(dispatch_candidates(JOB_POINT, garage)) == [
        ("Kept Doors", "Priority 1 · Miami-Dade garage zone")
    ]
    assert dispatch_candidates(JOB_POINT, sliding) == []  # the zone is for garage doors


def test_outside_every_zone_the_nearest_coverage_comes_first_with_the_area_named(garage, areas):
    ContractorFactory(name="Zone Only", job_types=[garage])
    zone_of("Orlando garage zone", garage, [], polygon=[[28, -82], [28, -81], [29, -81], [29, -82]])
    ContractorFactory(name="Aa Lauderdale", job_types=[garage], service_areas=[areas["lauderdale"]])
    ContractorFactory(
        name="Zz Miami", job_types=[garage], service_areas=[areas["miami"], areas["lauderdale"]]
    )
    ContractorFactory(name="Far Orlando", job_types=[garage], service_areas=[areas["orlando"]])

    assert listed(dispatch_candidates(JOB_POINT, garage)) == [
        ("Zz Miami", "Covers Miami · 1 mi"),
        ("Aa Lauderdale", "Covers Fort Lauderdale · 24 mi"),
    ]


def test_without_a_point_the_service_area_or_the_job_type_decides(garage, areas):
    ContractorFactory(name="Miami Doors", job_types=[garage], service_areas=[areas["miami"]])
    ContractorFactory(name="Orlando Doors", job_types=[garage], service_areas=[areas["orlando"]])

    assert listed(dispatch_candidates(None, garage, service_area=areas["miami"])) == [
        ("Miami Doors", "Covers Miami")
    ]
    assert [c.contractor.name for c in dispatch_candidates(None, garage)] == [
        "Miami Doors",
        "Orlando Doors",
    ]


def test_the_query_count_is_flat_in_the_number_of_contractors(
    garage, areas, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            zoned = ContractorFactory(job_types=[garage], service_areas=[areas["miami"]])
            zone = PriorityZone.objects.get() if PriorityZone.objects.exists() else None
            zone = zone or zone_of("Miami-Dade garage", garage, [])
            PriorityZoneContractor.objects.create(
                zone=zone, contractor=zoned, position=zone.entries.count() + 1
            )
            ContractorFactory(job_types=[garage], service_areas=[areas["lauderdale"]])

    add(2)
    # the entries of the zones holding the point (one join), service area pins, the
    # covering links with their contractors
    with django_assert_num_queries(3):
        assert len(dispatch_candidates(JOB_POINT, garage)) == 4
    add(5)
    with django_assert_num_queries(3):
        assert len(dispatch_candidates(JOB_POINT, garage)) == 14
