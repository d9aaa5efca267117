"""The maps' data and the 🗺 Areas editor's one-pin toggle (the browser flips the pin first
and rolls back when this endpoint refuses)."""

import pytest
from django.urls import reverse

from contractors.models import Contractor
from crm.accounts.models import Role
from crm.timeline.models import AuditEvent
from tests.factories import ContractorFactory, JobTypeFactory, ServiceAreaFactory, UserFactory

pytestmark = pytest.mark.django_db

MAP = reverse("contractors:map_data")


def toggle_url(contractor, area):
    return reverse("contractors:toggle_area", args=[contractor.pk, area.pk])


def signed_in(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ" if role == Role.PARTNER else ""))
    return client


def test_map_data_lists_pins_links_contractors_types_and_zones(client):
    garage = JobTypeFactory(label="Garage Door")
    hialeah = ServiceAreaFactory(label="Hialeah", zip_code="33012")
    doral = ServiceAreaFactory(label="Doral", zip_code="33172")
    on = ContractorFactory(name="Mike Hernandez", job_types=[garage], service_areas=[hialeah])
    off = ContractorFactory(name="Paused Co", is_active=False, service_areas=[hialeah, doral])
    ContractorFactory(name="Nowhere LLC")  # on no pin: not in the map's data
    signed_in(client, Role.VIEWER)

    data = client.get(MAP).json()

    assert {area[1] for area in data["areas"]} == {"Hialeah", "Doral"}
    assert sorted(map(tuple, data["links"])) == sorted(
        [(on.pk, hialeah.pk), (off.pk, hialeah.pk), (off.pk, doral.pk)]
    )
    assert data["contractors"] == {
        str(on.pk): ["Mike Hernandez", True, [garage.pk]],
        str(off.pk): ["Paused Co", False, []],
    }
    assert [garage.pk, "Garage Door"] in data["types"]


def test_map_data_is_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    garage = JobTypeFactory()
    areas = ServiceAreaFactory.create_batch(30)
    for index in range(30):
        ContractorFactory(job_types=[garage], service_areas=areas[index : index + 3])
    signed_in(client, Role.AGENT)
    with django_assert_max_num_queries(12):  # session + user + 7 data queries
        assert client.get(MAP).status_code == 200


def test_partners_get_no_map(client):
    signed_in(client, Role.PARTNER)
    assert client.get(MAP).status_code in (302, 403)


@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE_ADMIN])
def test_editors_toggle_a_pin_on_and_off_with_an_audit_row_each(client, role):
    area = ServiceAreaFactory(label="Hialeah")
    contractor = ContractorFactory(name="Mike Hernandez", service_areas=[ServiceAreaFactory()])
    signed_in(client, role)

    response = client.post(toggle_url(contractor, area), {"covered": "1"})
    assert response.json() == {"covered": True, "area_count": 2}
    assert contractor.service_areas.filter(pk=area.pk).exists()
    assert (
        AuditEvent.objects.filter(text="Contractor Mike Hernandez now covers Hialeah").count() == 1
    )

    # The wanted state is posted: a repeated click changes nothing and audits nothing.
    assert client.post(toggle_url(contractor, area), {"covered": "1"}).json()["area_count"] == 2
    assert AuditEvent.objects.filter(text__contains="now covers Hialeah").count() == 1

    assert client.post(toggle_url(contractor, area), {"covered": "0"}).json() == {
        "covered": False,
        "area_count": 1,
    }
    assert not contractor.service_areas.filter(pk=area.pk).exists()
    assert AuditEvent.objects.filter(
        text="Contractor Mike Hernandez no longer covers Hialeah"
    ).exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.VIEWER])
def test_readers_cannot_toggle_and_the_refusal_says_why(client, role):
    area = ServiceAreaFactory()
    contractor = ContractorFactory()
    signed_in(client, role)
    response = client.post(toggle_url(contractor, area), {"covered": "1"})
    assert response.status_code == 403
    assert response.json()["error"] == "Your role cannot change coverage."
    assert not contractor.service_areas.exists()


def test_a_failing_save_answers_an_error_and_changes_nothing(client):
    """What the map rolls back on: an unknown area, a bad value, a GET."""
    area = ServiceAreaFactory()
    contractor = ContractorFactory(service_areas=[area])
    signed_in(client, Role.OWNER)

    bad_value = client.post(toggle_url(contractor, area), {"covered": "maybe"})
    assert bad_value.status_code == 400
    assert "covered=1" in bad_value.json()["error"]
    gone = reverse("contractors:toggle_area", args=[contractor.pk, area.pk + 999])
    assert client.post(gone, {"covered": "1"}).status_code == 404
    assert client.get(toggle_url(contractor, area)).status_code == 405
    assert list(Contractor.objects.get(pk=contractor.pk).service_areas.all()) == [area]


def test_contractors_page_wires_the_map_for_editors_and_zones_for_admins(client):
    ContractorFactory(name="Mike Hernandez")
    signed_in(client, Role.OWNER)
    page = client.get(reverse("contractors:list")).content.decode()
    assert 'id="coverage-map"' in page and "data-toggle-url=" in page
    assert "🗺 Areas" in page and "data-can-zones" in page

    signed_in(client, Role.VIEWER)
    page = client.get(reverse("contractors:list")).content.decode()
    assert 'id="coverage-map"' in page  # viewers see the map…
    assert "🗺 Areas" not in page and "data-can-zones" not in page  # …but edit nothing

    signed_in(client, Role.ADMIN)
    page = client.get(reverse("contractors:list")).content.decode()
    assert "🗺 Areas" not in page and "🎯 Draw priority zone" in page
