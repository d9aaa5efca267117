"""A priority zone keeps its polygon's bounding box, which dispatch asks the index for
first; the exact point-in-polygon test still decides who is listed."""

import pytest

from contractors.matching import dispatch_candidates, priority_contractors
from contractors.models import PriorityZone
from contractors.services.zones import save_zone
from tests.factories import ContractorFactory, JobTypeFactory, UserFactory

pytestmark = pytest.mark.django_db

# A triangle over Miami: its box's south-east corner (25.6, -80.1) is outside it.
TRIANGLE = [[25.6, -80.4], [25.9, -80.1], [25.9, -80.4]]
IN_TRIANGLE = (25.8, -80.3)
IN_BOX_ONLY = (25.65, -80.15)
# The same zone redrawn over Orlando.
ORLANDO_BOX = [[28.4, -81.5], [28.7, -81.5], [28.7, -81.2], [28.4, -81.2]]
ORLANDO = (28.54, -81.38)


def bounds(zone: PriorityZone) -> tuple[float, float, float, float]:
    zone.refresh_from_db()
    return zone.min_lat, zone.max_lat, zone.min_lng, zone.max_lng


@pytest.fixture
def drawn():
    garage = JobTypeFactory(label="Garage Door")
    crew = ContractorFactory(name="Alpha Doors", job_types=[garage])
    zone = save_zone(
        actor=UserFactory(role="owner"),
        name="Miami corner",
        job_type=garage,
        polygon=TRIANGLE,
        contractor_ids=[crew.pk],
    )
    return zone, garage, crew


def test_the_box_follows_an_edit_of_the_polygon(drawn):
    zone, garage, crew = drawn
    assert bounds(zone) == (25.6, 25.9, -80.4, -80.1)
    save_zone(
        actor=UserFactory(role="owner"),
        zone=zone,
        name=zone.name,
        job_type=garage,
        polygon=ORLANDO_BOX,
        contractor_ids=[crew.pk],
    )
    assert bounds(zone) == (28.4, 28.7, -81.5, -81.2)
    assert priority_contractors(*ORLANDO, garage) == [crew]
    assert priority_contractors(*IN_TRIANGLE, garage) == []


def test_a_point_in_the_box_but_outside_the_polygon_is_not_matched(drawn):
    zone, garage, crew = drawn
    assert priority_contractors(*IN_TRIANGLE, garage) == [crew]
    assert priority_contractors(*IN_BOX_ONLY, garage) == []
    reasons = [candidate.reason for candidate in dispatch_candidates(IN_BOX_ONLY, garage)]
    assert not any(reason.startswith("Priority") for reason in reasons)


def test_a_zone_saved_outside_the_service_gets_its_box_too():
    zone = PriorityZone.objects.create(
        name="Drawn in the shell", job_type=JobTypeFactory(), polygon=TRIANGLE
    )
    assert bounds(zone) == (25.6, 25.9, -80.4, -80.1)
    zone.polygon = ORLANDO_BOX
    zone.save(update_fields=["polygon"])
    assert bounds(zone) == (28.4, 28.7, -81.5, -81.2)
