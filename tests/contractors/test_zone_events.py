"""Priority zones emit `zone.created`, `zone.updated` and `zone.deleted` (one per action)."""

import pytest

from contractors.services.zones import delete_zone, save_zone
from crm.models import DomainEvent
from tests.factories import ContractorFactory, JobTypeFactory, UserFactory

pytestmark = pytest.mark.django_db
TRIANGLE = [[25.6, -80.4], [25.9, -80.1], [25.9, -80.4]]


def test_drawing_saving_and_deleting_a_zone_each_emit_their_event():
    owner = UserFactory(role="owner")
    garage = JobTypeFactory(label="Garage Door")
    alpha = ContractorFactory(name="Alpha Doors", job_types=[garage])
    beta = ContractorFactory(name="Beta Doors", job_types=[garage])
    zone = save_zone(
        actor=owner, name="Miami", job_type=garage, polygon=TRIANGLE, contractor_ids=[alpha.pk]
    )
    save_zone(
        actor=owner,
        zone=zone,
        name="Miami corner",
        job_type=garage,
        polygon=TRIANGLE,
        contractor_ids=[beta.pk, alpha.pk],
    )
    zone_id = zone.pk
    delete_zone(actor=owner, zone=zone)

    events = list(DomainEvent.objects.filter(name__startswith="zone.").order_by("pk"))
    assert [(event.name, event.payload) for event in events] == [
        (
            "zone.created",
            {
                "zone_id": zone_id,
                "zone_name": "Miami",
                "job_type_id": garage.pk,
                "contractor_ids": [alpha.pk],
            },
        ),
        (
            "zone.updated",
            {
                "zone_id": zone_id,
                "zone_name": "Miami corner",
                "job_type_id": garage.pk,
                "contractor_ids": [beta.pk, alpha.pk],
            },
        ),
        ("zone.deleted", {"zone_id": zone_id, "zone_name": "Miami corner"}),
    ]
    assert all(event.actor == owner for event in events)
