from decimal import Decimal

import pytest

from contractors.matching import (
    closest_service_areas,
    contains,
    covering_contractors,
    miles_between,
    priority_contractors,
    profit_share_for,
)
from contractors.models import PriorityZone, PriorityZoneContractor
from tests.factories import ContractorFactory, JobTypeFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db

# Real places (ZIP centroids).
MIAMI = (25.7791, -80.1978)
FORT_LAUDERDALE = (26.1223, -80.1434)
BOCA_RATON = (26.3587, -80.0831)
WEST_PALM = (26.7153, -80.0534)
ORLANDO = (28.5383, -81.3792)
ATLANTA = (33.7490, -84.3880)
NAPLES = (26.1420, -81.7948)


def test_miami_to_atlanta_is_about_600_miles():
    assert miles_between(*MIAMI, *ATLANTA) == pytest.approx(604, abs=5)
    assert miles_between(*MIAMI, *MIAMI) == 0


def test_the_five_closest_areas_come_nearest_first():
    for label, (lat, lng) in {
        "Atlanta": ATLANTA,
        "Orlando": ORLANDO,
        "West Palm": WEST_PALM,
        "Boca": BOCA_RATON,
        "Fort Lauderdale": FORT_LAUDERDALE,
        "Naples": NAPLES,
        "Miami": MIAMI,
    }.items():
        ServiceAreaFactory(label=label, lat=lat, lng=lng)
    hialeah = (25.8576, -80.2781)
    closest = closest_service_areas(*hialeah)
    assert [area.label for area, _ in closest] == [
        "Miami",
        "Fort Lauderdale",
        "Boca",
        "West Palm",
        "Naples",
    ]
    distances = [distance for _, distance in closest]
    assert distances == sorted(distances) and distances[0] < 10


def test_fewer_areas_than_asked_returns_them_all():
    ServiceAreaFactory(label="Only")
    assert [area.label for area, _ in closest_service_areas(*ATLANTA)] == ["Only"]


def test_matching_needs_the_area_and_the_job_type_and_an_active_contractor():
    garage, sliding = JobTypeFactory(label="Garage Door"), JobTypeFactory(label="Sliding Door")
    miami, broward = ServiceAreaFactory(label="Miami"), ServiceAreaFactory(label="Broward")
    both = ContractorFactory(name="Both", job_types=[garage], service_areas=[miami])
    ContractorFactory(name="Wrong type", job_types=[sliding], service_areas=[miami])
    ContractorFactory(name="Wrong area", job_types=[garage], service_areas=[broward])
    paused = ContractorFactory(name="Paused", job_types=[garage], service_areas=[miami])
    paused.is_active = False
    paused.save()
    assert list(covering_contractors(miami, garage)) == [both]


@pytest.mark.parametrize(
    ("zip_code", "partner", "expected"),
    [
        ("33101", "", "40.00"),  # ZIP is a secondary ZIP
        ("33101-1234", "", "40.00"),  # ZIP+4 still matches
        ("30303", "gdq leads", "40.00"),  # partner matches, case-insensitively
        ("30303", "Raful", "30.00"),  # neither: primary
        ("", "", "30.00"),  # nothing known: primary
    ],
)
def test_profit_share_uses_the_secondary_percent_for_its_zips_or_partners(
    zip_code, partner, expected
):
    contractor = ContractorFactory(
        profit_share=Decimal("30.00"),
        secondary_profit_share=Decimal("40.00"),
        secondary_zip_codes=["33101", " 33130"],
        secondary_partners=["GDQ Leads", "Nehoray Leads"],
    )
    assert profit_share_for(contractor, zip_code=zip_code, partner_name=partner) == Decimal(
        expected
    )


def test_without_a_secondary_percent_the_primary_always_applies():
    contractor = ContractorFactory(profit_share=Decimal("25.50"), secondary_zip_codes=["33101"])
    assert profit_share_for(contractor, zip_code="33101") == Decimal("25.50")


SOUTH_FLORIDA = [[25.5, -80.6], [26.5, -80.6], [26.5, -80.0], [25.5, -80.0]]


def test_point_in_polygon():
    assert contains(SOUTH_FLORIDA, *MIAMI)
    assert contains(SOUTH_FLORIDA, *FORT_LAUDERDALE)
    assert not contains(SOUTH_FLORIDA, *ORLANDO)
    assert not contains(SOUTH_FLORIDA, *NAPLES)  # west of the zone
    # A square with a triangular notch cut in from its lng=0 side, tip at (5, 5).
    concave = [[0, 0], [0, 10], [10, 10], [10, 0], [5, 5]]
    assert contains(concave, 5, 2) is False  # inside the notch
    assert contains(concave, 5, 8) is True
    assert contains(concave, 1, 2) is True  # beside the notch


def test_priority_zones_give_their_order_for_points_inside_and_the_job_type():
    garage, sliding = JobTypeFactory(label="Garage Door"), JobTypeFactory(label="Sliding Door")
    first, second, third = (
        ContractorFactory(name=name, job_types=[garage]) for name in ("Ana", "Ben", "Cy")
    )
    paused = ContractorFactory(name="Paused", job_types=[garage])
    paused.is_active = False
    paused.save()
    zone = PriorityZone.objects.create(name="South FL", job_type=garage, polygon=SOUTH_FLORIDA)
    for position, contractor in enumerate([second, paused, first, third]):
        PriorityZoneContractor.objects.create(zone=zone, contractor=contractor, position=position)
    assert priority_contractors(*MIAMI, garage) == [second, first, third]
    assert priority_contractors(*ORLANDO, garage) == []
    assert priority_contractors(*MIAMI, sliding) == []
