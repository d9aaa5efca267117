"""📍 Service Areas page: who reads, who writes, adding / editing / deleting, the list."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from contractors.models import ServiceArea
from contractors.services.areas import add_service_area, update_service_area
from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent
from tests.factories import (
    ContractorFactory,
    JobTypeFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("contractors:service_areas")
NEW = reverse("contractors:service_area_new")
LOOKUP = reverse("contractors:service_area_lookup")
UPLOAD = reverse("contractors:service_area_upload")
READERS = [Role.ADMIN, Role.AGENT, Role.VIEWER]
WRITERS = [Role.OWNER, Role.FINANCE_ADMIN]


@pytest.fixture(autouse=True)
def _offline_geocoding(settings):
    settings.GOOGLE_MAPS_API_KEY = ""


def login(client, role, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


def write_urls(area) -> list[tuple[str, str]]:
    return [
        ("get", NEW),
        ("post", NEW),
        ("get", f"{LOOKUP}?zip=33101"),
        ("get", reverse("contractors:service_area_edit", args=[area.pk])),
        ("post", reverse("contractors:service_area_edit", args=[area.pk])),
        ("post", reverse("contractors:service_area_delete", args=[area.pk])),
        ("get", UPLOAD),
        ("post", UPLOAD),
    ]


# --- Who may do what -----------------------------------------------------------------


def test_a_partner_gets_403_on_every_service_area_url(client):
    area = ServiceAreaFactory()
    login(client, Role.PARTNER, partner_name="GDQ")

    for method, url in [("get", PAGE), *write_urls(area)]:
        assert getattr(client, method)(url).status_code == 403, url


@pytest.mark.parametrize("role", READERS)
def test_admin_agent_and_viewer_read_the_page_without_edit_buttons(client, role):
    ServiceAreaFactory(label="Hialeah")
    login(client, role)

    response = client.get(PAGE)

    assertContains(response, "Hialeah")
    assertNotContains(response, "+ Add Service Area")
    assertNotContains(response, ">Edit</a>")
    assertNotContains(response, "Upload areas")


@pytest.mark.parametrize("role", READERS)
def test_admin_agent_and_viewer_get_403_on_every_write(client, role):
    area = ServiceAreaFactory(label="Hialeah")
    login(client, role)

    for method, url in write_urls(area):
        assert getattr(client, method)(url).status_code == 403, url
    assert ServiceArea.objects.get().label == "Hialeah"


@pytest.mark.parametrize("role", WRITERS)
def test_owner_and_finance_admin_see_the_edit_buttons_and_forms(client, role):
    area = ServiceAreaFactory(label="Hialeah")
    login(client, role)

    assertContains(client.get(PAGE), "+ Add Service Area")
    assertContains(client.get(NEW), "Lookup")
    assertContains(client.get(reverse("contractors:service_area_edit", args=[area.pk])), "Hialeah")
    assertContains(client.get(UPLOAD), "Main Zipcode")
    assert client.get(f"{LOOKUP}?zip=33101").json()["city"] == "Miami"


def test_a_user_whose_offices_all_have_jobs_off_is_sent_to_leads(client):
    office = OfficeFactory(name="Leads only", is_jobs_enabled=False)
    login(client, Role.ADMIN, offices=[office])

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == "/leads"


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/login" in response["Location"]


# --- Adding, editing, deleting -------------------------------------------------------


def test_owner_adds_an_area_and_its_zip_is_geocoded_offline(client):
    owner = login(client, Role.OWNER)

    response = client.post(
        NEW,
        {"label": "Downtown", "zip_code": "33101", "area_code": "305", "office_address": "1 Main"},
    )

    assert response.status_code == 302
    area = ServiceArea.objects.get()
    assert (area.label, area.city, area.state, area.area_code) == ("Downtown", "Miami", "FL", "305")
    assert area.lat == pytest.approx(25.77, abs=0.05)
    assert area.lng == pytest.approx(-80.19, abs=0.05)
    audit = AuditEvent.objects.get(kind="settings.changed")
    assert audit.actor == owner and "Downtown (Miami, FL 33101) added" in audit.text
    assert DomainEvent.objects.filter(name="service_area.added").count() == 1
    assertContains(client.get(PAGE), "Service area Downtown added")


def test_adding_through_the_modal_refreshes_the_page(client):
    login(client, Role.FINANCE_ADMIN)

    response = client.post(
        NEW, {"label": "Downtown", "zip_code": "33101"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert ServiceArea.objects.filter(label="Downtown").exists()


def test_a_duplicate_label_is_refused_whatever_its_case(client):
    ServiceAreaFactory(label="Hialeah")
    login(client, Role.OWNER)

    response = client.post(
        NEW, {"label": "  hIALEAH ", "zip_code": "33012"}, headers={"HX-Request": "true"}
    )

    assertContains(response, "A service area named hIALEAH already exists.")
    assert ServiceArea.objects.count() == 1


def test_an_unknown_zip_is_refused_and_nothing_is_saved(client):
    login(client, Role.OWNER)

    response = client.post(NEW, {"label": "Nowhere", "zip_code": "00000"})

    assertContains(response, "ZIP code 00000 was not found.")
    assert not ServiceArea.objects.exists()


def test_a_malformed_zip_or_area_code_is_a_form_error(client):
    login(client, Role.OWNER)

    response = client.post(NEW, {"label": "Nowhere", "zip_code": "331", "area_code": "30"})

    assertContains(response, "A ZIP code is 5 digits, like 33101.")
    assertContains(response, "An area code is 3 digits, like 305.")
    assert not ServiceArea.objects.exists()


def test_the_action_refuses_a_bad_zip_and_a_blank_label(owner):
    with pytest.raises(DomainError, match="5 digits"):
        add_service_area(actor=owner, label="Somewhere", zip_code="3310")
    with pytest.raises(DomainError, match="label"):
        add_service_area(actor=owner, label="  ", zip_code="33101")
    assert not ServiceArea.objects.exists()


def test_editing_an_area_with_a_new_zip_geocodes_it_again(client):
    area = ServiceAreaFactory(label="Downtown")
    login(client, Role.OWNER)

    url = reverse("contractors:service_area_edit", args=[area.pk])
    response = client.post(url, {"label": "Hialeah", "zip_code": "33012", "area_code": "786"})

    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.label, area.city, area.state, area.area_code) == (
        "Hialeah",
        "Hialeah",
        "FL",
        "786",
    )
    assert "(was Downtown (Miami, FL 33101))" in AuditEvent.objects.get().text


def test_renaming_an_area_to_its_own_label_in_another_case_is_allowed(owner):
    area = ServiceAreaFactory(label="hialeah")

    area = update_service_area(actor=owner, area=area, label="Hialeah", zip_code="33101")

    assert area.label == "Hialeah"


def test_renaming_an_area_to_another_areas_label_is_refused(owner):
    ServiceAreaFactory(label="Hialeah")
    area = ServiceAreaFactory(label="Doral")

    with pytest.raises(DomainError, match="already exists"):
        update_service_area(actor=owner, area=area, label="HIALEAH", zip_code="33101")


def test_deleting_an_area_takes_it_off_its_contractors(client):
    area = ServiceAreaFactory(label="Doral")
    contractor = ContractorFactory(service_areas=[area])
    login(client, Role.OWNER)

    response = client.post(reverse("contractors:service_area_delete", args=[area.pk]))

    assert response.status_code == 302
    assert not ServiceArea.objects.exists()
    assert contractor.service_areas.count() == 0
    assert (
        "Doral (Miami, FL 33101) deleted (1 contractor covered it)" in AuditEvent.objects.get().text
    )


# --- The list -----------------------------------------------------------------------


def test_each_row_shows_place_area_code_contractor_count_and_coverage_by_job_type(client):
    garage, sliding = JobTypeFactory(label="Garage Door"), JobTypeFactory(label="Sliding Door")
    area = ServiceAreaFactory(label="Hialeah", zip_code="33012", city="Hialeah", area_code="305")
    ContractorFactory(service_areas=[area], job_types=[garage, sliding])
    ContractorFactory(service_areas=[area], job_types=[garage])
    ContractorFactory(service_areas=[area], job_types=[garage], is_active=False)
    login(client, Role.VIEWER)

    response = client.get(PAGE)

    assertContains(response, "Hialeah, FL")
    assertContains(response, "33012")
    assertContains(response, "305")
    row = response.context["rows"][0]
    assert row["area"].contractor_count == 2
    assert row["coverage"] == [("Garage Door", 2), ("Sliding Door", 1)]
    assertContains(response, "Garage Door <strong>2</strong> · Sliding Door <strong>1</strong>")


def test_search_matches_label_city_and_zip(client):
    ServiceAreaFactory(label="Hialeah", city="Hialeah", zip_code="33012")
    ServiceAreaFactory(label="Downtown", city="Miami", zip_code="33101")
    ServiceAreaFactory(label="Orlando", city="Orlando", state="FL", zip_code="32801")
    login(client, Role.AGENT)

    def labels(query):
        response = client.get(PAGE, {"q": query})
        return [row["area"].label for row in response.context["rows"]]

    assert labels("hiAL") == ["Hialeah"]
    assert labels("miami") == ["Downtown"]
    assert labels("328") == ["Orlando"]
    assert labels("") == ["Downtown", "Hialeah", "Orlando"]


def test_live_search_returns_only_the_list(client):
    ServiceAreaFactory(label="Hialeah")
    login(client, Role.AGENT)

    response = client.get(
        PAGE, {"q": "hia"}, headers={"HX-Request": "true", "HX-Target": "area-list"}
    )

    assertContains(response, "Hialeah")
    assertNotContains(response, "<html")
    assert response.templates[0].name == "contractors/_partials/area_rows.html"


def test_the_list_sorts_by_label_city_zip_and_contractor_count(client):
    busy = ServiceAreaFactory(label="Busy", city="Tampa", zip_code="33602")
    ServiceAreaFactory(label="Alpha", city="Miami", zip_code="33101")
    ServiceAreaFactory(label="Calm", city="Boca Raton", zip_code="33431")
    ContractorFactory(service_areas=[busy])
    login(client, Role.VIEWER)

    def labels(sort):
        return [row["area"].label for row in client.get(PAGE, {"sort": sort}).context["rows"]]

    assert labels("label") == ["Alpha", "Busy", "Calm"]
    assert labels("-label") == ["Calm", "Busy", "Alpha"]
    assert labels("city") == ["Calm", "Alpha", "Busy"]
    assert labels("zip") == ["Alpha", "Calm", "Busy"]
    assert labels("-contractors") == ["Busy", "Alpha", "Calm"]
    assert labels("nonsense") == ["Alpha", "Busy", "Calm"]


def test_the_page_query_count_is_flat_in_the_number_of_areas(client, django_assert_max_num_queries):
    job_types = [JobTypeFactory(label=f"Type {n}") for n in range(3)]
    areas = [ServiceAreaFactory(label=f"Area {n:02d}") for n in range(30)]
    for n in range(10):
        ContractorFactory(service_areas=areas[n::3], job_types=job_types[: 1 + n % 3])
    login(client, Role.OWNER)
    client.get(PAGE)  # warm-up: session, nav and per-process caches

    with django_assert_max_num_queries(8):
        response = client.get(PAGE)

    assert len(response.context["rows"]) == 30
