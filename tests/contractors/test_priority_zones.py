"""🎯 Priority zones: admin and above draw and edit them; the list may only hold active
contractors of the zone's job type, in the order dispatch will try them."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from contractors.matching import priority_contractors
from contractors.models import PriorityZone
from crm.accounts.models import Role
from crm.timeline.models import AuditEvent
from tests.factories import ContractorFactory, JobTypeFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("contractors:zone_new")
PICKS = reverse("contractors:zone_picks")
HTMX = {"HX-Request": "true"}
MIAMI_BOX = [[25.9, -80.4], [25.9, -80.1], [25.6, -80.1], [25.6, -80.4]]
MIAMI = (25.76, -80.19)


@pytest.fixture
def garage(db):
    return JobTypeFactory(label="Garage Door")


@pytest.fixture
def crews(garage):
    sliding = JobTypeFactory(label="Sliding Door")
    return {
        "alpha": ContractorFactory(name="Alpha Doors", job_types=[garage]),
        "bravo": ContractorFactory(name="Bravo Doors", job_types=[garage]),
        "paused": ContractorFactory(name="Paused Doors", job_types=[garage], is_active=False),
        "slider": ContractorFactory(name="Slider Pros", job_types=[sliding]),
    }


def signed_in(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ" if role == Role.PARTNER else ""))
    return client


def zone_data(job_type, contractors, **overrides):
    data = {
        "name": "Miami core",
        "job_type": job_type.pk,
        "polygon": json.dumps(MIAMI_BOX),
        "contractors": [contractor.pk for contractor in contractors],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.FINANCE_ADMIN])
def test_admins_draw_a_zone_whose_order_dispatch_follows(client, garage, crews, role):
    signed_in(client, role)
    response = client.post(NEW, zone_data(garage, [crews["bravo"], crews["alpha"]]), headers=HTMX)
    assert response.headers["HX-Refresh"] == "true"
    zone = PriorityZone.objects.get()
    assert zone.polygon == MIAMI_BOX
    assert priority_contractors(*MIAMI, garage) == [crews["bravo"], crews["alpha"]]
    assert AuditEvent.objects.filter(
        text="Priority zone Miami core (Garage Door) drawn: Bravo Doors, Alpha Doors"
    ).exists()


def test_reordering_and_removing_rewrites_the_order(client, garage, crews):
    signed_in(client, Role.ADMIN)
    client.post(NEW, zone_data(garage, [crews["alpha"], crews["bravo"]]), headers=HTMX)
    zone = PriorityZone.objects.get()
    edit = reverse("contractors:zone_edit", args=[zone.pk])
    client.post(edit, zone_data(garage, [crews["bravo"]], name="Miami"), headers=HTMX)
    zone.refresh_from_db()
    assert zone.name == "Miami"
    assert [entry.contractor for entry in zone.entries.all()] == [crews["bravo"]]


@pytest.mark.parametrize(
    "who, message",
    [
        ("paused", "Only active contractors who do Garage Door can be on this zone's list."),
        ("slider", "Only active contractors who do Garage Door can be on this zone's list."),
    ],
)
def test_ineligible_contractors_are_refused_and_nothing_is_saved(
    client, garage, crews, who, message
):
    signed_in(client, Role.OWNER)
    response = client.post(NEW, zone_data(garage, [crews["alpha"], crews[who]]), headers=HTMX)
    assert escape(message) in response.content.decode()
    assert not PriorityZone.objects.exists()
    # The list comes back as the user left it, so nothing has to be re-added.
    assert response.content.decode().index("Alpha Doors") < response.content.decode().index(
        crews[who].name
    )


@pytest.mark.parametrize(
    "polygon, message",
    [
        ([[25.9, -80.4], [25.9, -80.1]], "Draw a zone with 3 to 200 corners."),
        ([[125.9, -80.4], [25.9, -80.1], [25.6, -80.1]], "The zone's corners are not coordinates."),
        ([["a", "b"], [25.9, -80.1], [25.6, -80.1]], "The zone's corners are not coordinates."),
    ],
)
def test_a_bad_polygon_is_refused(client, garage, crews, polygon, message):
    signed_in(client, Role.OWNER)
    response = client.post(NEW, zone_data(garage, [], polygon=json.dumps(polygon)), headers=HTMX)
    assert escape(message) in response.content.decode()
    assert not PriorityZone.objects.exists()


def test_a_contractor_twice_and_a_missing_name_are_refused(client, garage, crews):
    signed_in(client, Role.OWNER)
    twice = client.post(NEW, zone_data(garage, [crews["alpha"], crews["alpha"]]), headers=HTMX)
    assert "A contractor can be on the list only once." in twice.content.decode()
    nameless = client.post(NEW, zone_data(garage, [], name=""), headers=HTMX)
    assert "This field is required." in nameless.content.decode()
    assert not PriorityZone.objects.exists()


def test_the_add_box_offers_only_active_contractors_of_the_job_type(client, garage, crews):
    signed_in(client, Role.ADMIN)
    offered = client.get(PICKS, {"job_type": garage.pk}).json()["contractors"]
    assert [c["name"] for c in offered] == ["Alpha Doors", "Bravo Doors"]
    assert client.get(PICKS, {"job_type": "x"}).json() == {"contractors": []}
    # An existing zone's editor starts with the same offer, its list as saved, nothing picked.
    client.post(NEW, zone_data(garage, [crews["bravo"]]), headers=HTMX)
    editor = client.get(reverse("contractors:zone_edit", args=[PriorityZone.objects.get().pk]))
    page = editor.content.decode()
    assert 'id="zone-picks"' in page and "Alpha Doors" in page
    assert page.count('name="contractors"') == 1


def test_delete_removes_the_zone(client, garage, crews):
    signed_in(client, Role.OWNER)
    client.post(NEW, zone_data(garage, [crews["alpha"]]), headers=HTMX)
    zone = PriorityZone.objects.get()
    client.post(reverse("contractors:zone_delete", args=[zone.pk]), headers=HTMX)
    assert not PriorityZone.objects.exists()
    assert AuditEvent.objects.filter(text="Priority zone Miami core deleted").exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER, Role.PARTNER])
def test_agents_viewers_and_partners_cannot_touch_zones(client, garage, crews, role):
    signed_in(client, Role.OWNER)
    client.post(NEW, zone_data(garage, [crews["alpha"]]), headers=HTMX)
    zone = PriorityZone.objects.get()
    signed_in(client, role)
    edit = reverse("contractors:zone_edit", args=[zone.pk])
    delete = reverse("contractors:zone_delete", args=[zone.pk])
    denied = (302, 403)
    assert client.get(NEW).status_code in denied
    assert (
        client.post(NEW, zone_data(garage, [crews["bravo"]], name="Sneaky")).status_code in denied
    )
    assert client.post(edit, zone_data(garage, [], name="Renamed")).status_code in denied
    assert client.post(delete).status_code in denied
    assert client.get(PICKS, {"job_type": garage.pk}).status_code in denied
    zone.refresh_from_db()
    assert zone.name == "Miami core" and zone.entries.count() == 1
    assert PriorityZone.objects.count() == 1


def test_the_drawn_polygon_reaches_the_editor_and_is_saved_as_drawn(client, garage, crews):
    signed_in(client, Role.OWNER)
    editor = client.get(NEW, {"polygon": json.dumps(MIAMI_BOX)}, headers=HTMX)
    hidden = editor.content.decode().split('name="polygon" value="')[1].split('"')[0]
    posted = zone_data(garage, [crews["alpha"]], polygon=hidden.replace("&quot;", '"'))
    client.post(NEW, posted, headers=HTMX)
    assert PriorityZone.objects.get().polygon == MIAMI_BOX
