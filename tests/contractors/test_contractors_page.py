from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from contractors.models import Contractor
from contractors.services import contractors as services
from crm.accounts.models import Role
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from tests.factories import (
    ContractorFactory,
    JobTypeFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("contractors:list")
NEW = reverse("contractors:contractor_new")
HTMX = {"HX-Request": "true"}
EDITORS = [Role.OWNER, Role.FINANCE_ADMIN]
READERS = [Role.ADMIN, Role.AGENT, Role.VIEWER]


@pytest.fixture
def garage(db):
    return JobTypeFactory(label="Garage Door")


@pytest.fixture
def sliding(db):
    return JobTypeFactory(label="Sliding Door")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def login(client, role):
    user = UserFactory(role=role, partner_name="GDQ" if role == Role.PARTNER else "")
    client.force_login(user)
    return user


def form_data(job_types, **overrides) -> dict:
    data = {
        "name": "Best Doors LLC",
        "report_email": "reports@bestdoors.com",
        "contact_name": "Sam Hill",
        "contact_phone": "(305) 555-0142",
        "contact2_name": "",
        "contact2_phone": "",
        "notes": "Prefers texts",
        "job_types": [job_type.pk for job_type in job_types],
        "service_areas": [],
        "profit_share": "30",
        "secondary_profit_share": "",
        "secondary_zip_codes": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def write_requests(contractor, garage):
    pk = contractor.pk
    return [
        ("get", NEW, {}),
        ("post", NEW, form_data([garage], name="Sneaky LLC")),
        ("get", reverse("contractors:contractor_edit", args=[pk]), {}),
        ("post", reverse("contractors:contractor_edit", args=[pk]), form_data([garage])),
        ("post", reverse("contractors:contractor_toggle", args=[pk]), {"is_active": "0"}),
        ("post", reverse("contractors:contractor_delete", args=[pk]), {}),
        ("get", reverse("contractors:contractor_upload"), {}),
        ("post", reverse("contractors:contractor_upload"), {}),
    ]


# Access ----------------------------------------------------------------------------------


def test_partner_gets_403_on_every_contractor_url(client, garage):
    contractor = ContractorFactory(job_types=[garage])
    login(client, Role.PARTNER)
    assert client.get(LIST).status_code == 403
    for method, url, data in write_requests(contractor, garage):
        assert getattr(client, method)(url, data).status_code == 403, url


@pytest.mark.parametrize("role", READERS)
def test_read_only_roles_see_the_list_but_every_write_is_403(client, role, garage):
    contractor = ContractorFactory(name="Acme Doors", job_types=[garage])
    login(client, role)

    page = client.get(LIST)

    assertContains(page, "Acme Doors")
    assertContains(page, "Read-only for your role")
    assertNotContains(page, "+ Add Contractor")
    assertNotContains(page, reverse("contractors:contractor_toggle", args=[contractor.pk]))
    for method, url, data in write_requests(contractor, garage):
        assert getattr(client, method)(url, data).status_code == 403, url
    contractor.refresh_from_db()
    assert contractor.is_active and contractor.name == "Acme Doors"
    assert not Contractor.objects.filter(name="Sneaky LLC").exists()


@pytest.mark.parametrize("role", EDITORS)
def test_owner_and_finance_admin_can_write(client, role, garage):
    contractor = ContractorFactory(name="Acme Doors", job_types=[garage])
    login(client, role)

    page = client.get(LIST)
    assertContains(page, "+ Add Contractor")
    assert client.get(NEW, headers=HTMX).status_code == 200
    assert client.post(NEW, form_data([garage])).status_code == 302
    toggle = reverse("contractors:contractor_toggle", args=[contractor.pk])
    assert client.post(toggle, {"is_active": "0"}).status_code == 302
    assert client.get(reverse("contractors:contractor_upload")).status_code == 200
    delete = reverse("contractors:contractor_delete", args=[contractor.pk])
    assert client.post(delete).status_code == 302
    assert list(Contractor.objects.values_list("name", flat=True)) == ["Best Doors LLC"]


def test_user_whose_offices_all_have_jobs_off_is_sent_to_leads(client):
    office = OfficeFactory(name="No Jobs", is_jobs_enabled=False)
    client.force_login(UserFactory(role=Role.ADMIN, offices=[office]))
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith("/leads")


def test_the_topbar_links_to_the_page(owner_client):
    assertContains(owner_client.get(LIST), f'href="{LIST}"')


# The list --------------------------------------------------------------------------------


def test_rows_show_contact_area_count_job_types_and_active_pill(owner_client, garage, sliding):
    ContractorFactory(
        name="Acme Doors",
        contact_name="Ann Lee",
        contact_phone="+13055550142",
        job_types=[garage, sliding],
        service_areas=[ServiceAreaFactory(), ServiceAreaFactory()],
    )
    ContractorFactory(name="Dormant Inc", job_types=[garage], is_active=False)

    page = owner_client.get(LIST)

    assertContains(page, "Ann Lee · (305) 555-0142")
    assertContains(page, "📍 2 areas")
    assertContains(page, '<span class="pill pill--status">Sliding Door</span>', html=True)
    assertContains(page, "✓ Active")
    assertContains(page, "○ Off")
    assertContains(page, "2 contractors")


def test_search_matches_name_contact_and_email(owner_client, garage):
    ContractorFactory(name="Acme Doors", contact_name="Ann Lee", job_types=[garage])
    ContractorFactory(
        name="Zed Gates", contact_name="Bo Diaz", report_email="ops@zed.com", job_types=[garage]
    )

    assert [r.name for r in owner_client.get(LIST, {"q": "ann"}).context["rows"]] == ["Acme Doors"]
    assert [r.name for r in owner_client.get(LIST, {"q": "ZED.com"}).context["rows"]] == [
        "Zed Gates"
    ]


def test_job_type_pill_filters_the_list(owner_client, garage, sliding):
    ContractorFactory(name="Acme Doors", job_types=[garage])
    ContractorFactory(name="Glide Co", job_types=[sliding, garage])
    ContractorFactory(name="Slide Only", job_types=[sliding])

    page = owner_client.get(LIST, {"type": sliding.pk})

    assert [row.name for row in page.context["rows"]] == ["Glide Co", "Slide Only"]
    assertContains(page, 'aria-current="true">Sliding Door</a>')
    assert len(owner_client.get(LIST, {"type": "all"}).context["rows"]) == 3


def test_list_query_count_is_flat(owner_client, garage, sliding, django_assert_max_num_queries):
    areas = [ServiceAreaFactory() for _ in range(3)]
    for _ in range(25):
        ContractorFactory(job_types=[garage, sliding], service_areas=areas)
    owner_client.get(LIST)  # warm-up: session, user, offices cached per request anyway

    with django_assert_max_num_queries(8):
        response = owner_client.get(LIST)

    assert len(response.context["rows"]) == 25
    assertContains(response, "📍 3 areas", count=25)


# Add and edit ----------------------------------------------------------------------------


def test_owner_adds_a_contractor_through_the_modal(owner_client, owner, garage, sliding):
    area = ServiceAreaFactory(label="Miami")
    modal = owner_client.get(NEW, headers=HTMX)
    assertContains(modal, "+ Add Contractor")
    assertContains(modal, "data-area-filter")
    assertNotContains(modal, "<html")

    response = owner_client.post(
        NEW,
        form_data(
            [garage, sliding],
            service_areas=[area.pk],
            contact2_name="Bo",
            contact2_phone="305-555-0199",
            secondary_profit_share="12.5",
            secondary_zip_codes="33101, 33102",
        ),
        headers=HTMX,
    )

    assert response.headers["HX-Refresh"] == "true"
    contractor = Contractor.objects.get()
    assert contractor.name == "Best Doors LLC"
    assert contractor.contact_phone == "+13055550142"
    assert contractor.contact2_phone == "+13055550199"
    assert contractor.profit_share == Decimal("30.00")
    assert contractor.secondary_profit_share == Decimal("12.50")
    assert contractor.secondary_zip_codes == ["33101", "33102"]
    assert set(contractor.job_types.all()) == {garage, sliding}
    assert list(contractor.service_areas.all()) == [area]
    assert AuditEvent.objects.filter(
        kind="settings.changed", text="Contractor Best Doors LLC added", actor=owner
    ).exists()


def test_new_contractor_page_works_without_htmx(owner_client, garage):
    page = owner_client.get(NEW)
    assertContains(page, "<html")
    assertContains(page, "← Contractors")
    response = owner_client.post(NEW, form_data([garage]))
    assert response.status_code == 302 and response.url == LIST


def test_owner_edits_a_contractor_and_can_switch_it_off(owner_client, garage, sliding):
    contractor = ContractorFactory(name="Acme Doors", job_types=[garage])
    url = reverse("contractors:contractor_edit", args=[contractor.pk])
    assertContains(owner_client.get(url, headers=HTMX), 'value="Acme Doors"')

    data = form_data([sliding], name="Acme Doors & Gates")
    del data["is_active"]  # an unticked checkbox is not posted
    owner_client.post(url, data, headers=HTMX)

    contractor.refresh_from_db()
    assert contractor.name == "Acme Doors & Gates"
    assert not contractor.is_active
    assert list(contractor.job_types.all()) == [sliding]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"job_types": []}, "Pick at least one job type."),
        ({"name": "  "}, "This field is required."),
        ({"profit_share": "101"}, "less than or equal to 100"),
        ({"secondary_profit_share": "-1"}, "greater than or equal to 0"),
        ({"secondary_zip_codes": "33101, 3310"}, "ZIP code &#x27;3310&#x27; must be 5 digits."),
        ({"contact_phone": "123-123-1234"}, "is not a valid phone number"),
        ({"report_email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_modal_refuses_bad_input_and_saves_nothing(owner_client, garage, overrides, message):
    data = form_data([garage]) | overrides
    response = owner_client.post(NEW, data, headers=HTMX)
    assert response.status_code == 200
    assertContains(response, message)
    assert not Contractor.objects.exists()


def test_modal_refuses_a_name_taken_in_another_case(owner_client, garage):
    ContractorFactory(name="Best Doors LLC", job_types=[garage])
    response = owner_client.post(NEW, form_data([garage], name="BEST doors llc"), headers=HTMX)
    assertContains(response, "A contractor named BEST doors llc already exists.")
    assert Contractor.objects.count() == 1


def test_editing_keeps_its_own_name_in_another_case(owner_client, garage):
    contractor = ContractorFactory(name="Best Doors LLC", job_types=[garage])
    url = reverse("contractors:contractor_edit", args=[contractor.pk])
    owner_client.post(url, form_data([garage], name="BEST DOORS LLC"), headers=HTMX)
    contractor.refresh_from_db()
    assert contractor.name == "BEST DOORS LLC"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"job_types": []}, "Pick at least one job type."),
        ({"name": " "}, "Give the contractor a name."),
        ({"profit_share": "101"}, "Profit share % must be a percent from 0 to 100."),
        ({"secondary_profit_share": Decimal("100.01")}, "Secondary % must be a percent"),
        ({"secondary_zip_codes": ["3310a"]}, "ZIP code '3310a' must be 5 digits."),
        ({"contact_phone": "555"}, "Phone:"),
        ({"name": "acme"}, "A contractor named acme already exists."),
    ],
)
def test_save_contractor_refuses_and_writes_nothing(owner, garage, overrides, message):
    ContractorFactory(name="Acme", job_types=[garage])
    arguments = {
        "actor": owner,
        "name": "New Co",
        "job_types": [garage],
        "service_areas": [],
        "profit_share": "20",
    } | overrides
    with pytest.raises(DomainError, match=message):
        services.save_contractor(**arguments)
    assert Contractor.objects.count() == 1


# Inline Active toggle and delete ---------------------------------------------------------


def test_inline_toggle_switches_off_and_returns_the_row(owner_client, owner, garage):
    contractor = ContractorFactory(name="Acme Doors", job_types=[garage])
    url = reverse("contractors:contractor_toggle", args=[contractor.pk])

    response = owner_client.post(url, {"is_active": "0"}, headers=HTMX)

    assertContains(response, "○ Off")
    assertContains(response, f'id="contractor-{contractor.pk}"')
    assertNotContains(response, "<html")
    contractor.refresh_from_db()
    assert not contractor.is_active
    assert AuditEvent.objects.filter(text="Contractor Acme Doors switched off").exists()

    # A second click that was already in flight asks for the same state: it stays off.
    owner_client.post(url, {"is_active": "0"}, headers=HTMX)
    contractor.refresh_from_db()
    assert not contractor.is_active
    assert AuditEvent.objects.filter(text__startswith="Contractor Acme Doors switched").count() == 1

    assertContains(owner_client.post(url, {"is_active": "1"}, headers=HTMX), "✓ Active")
    contractor.refresh_from_db()
    assert contractor.is_active


def test_toggle_without_a_value_flips(owner_client, garage):
    contractor = ContractorFactory(job_types=[garage])
    owner_client.post(reverse("contractors:contractor_toggle", args=[contractor.pk]))
    contractor.refresh_from_db()
    assert not contractor.is_active


def test_toggle_needs_post(owner_client, garage):
    contractor = ContractorFactory(job_types=[garage])
    url = reverse("contractors:contractor_toggle", args=[contractor.pk])
    assert owner_client.get(url).status_code == 405


def test_owner_deletes_a_contractor_from_the_modal(owner_client, garage):
    contractor = ContractorFactory(name="Gone LLC", job_types=[garage])
    url = reverse("contractors:contractor_delete", args=[contractor.pk])
    response = owner_client.post(url, headers=HTMX)
    assert response.headers["HX-Refresh"] == "true"
    assert not Contractor.objects.exists()
    assert AuditEvent.objects.filter(text="Contractor Gone LLC deleted").exists()


def test_a_large_directory_is_served_25_at_a_time(client, owner):
    from contractors.models import Contractor

    Contractor.objects.bulk_create(Contractor(name=f"Contractor {n:03d}") for n in range(130))
    client.force_login(owner)
    first = client.get(LIST)
    assert len(first.context["rows"]) == 25
    page = first.content.decode()
    assert "1–25 of 130 contractors" in page and "page=2" in page
    second = client.get(LIST, {"page": 2})
    assert [row.name for row in second.context["rows"]][0] == "Contractor 025"
    assert "26–50 of 130 contractors" in second.content.decode()
