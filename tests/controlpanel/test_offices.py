import pytest
from django.urls import reverse

from crm.accounts.models import Office, Role
from crm.timeline.models import AuditEvent
from tests.factories import JobFactory, LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_owner_adds_an_office_and_it_is_audited(owner_client, owner):
    response = owner_client.post(
        reverse("controlpanel:offices"), {"name": "  Garage  ", "is_jobs_enabled": "on"}
    )
    assert response.status_code == 302
    office = Office.objects.get(name="Garage")
    assert office.is_jobs_enabled
    event = AuditEvent.objects.get(kind="office.added")
    assert event.actor == owner
    assert event.office_label == "Garage"
    assert event.text == "Office Garage added"


def test_a_duplicate_office_name_is_refused_and_changes_nothing(owner_client):
    OfficeFactory(name="Garage")
    response = owner_client.post(reverse("controlpanel:offices"), {"name": "garage"})
    assert response.status_code == 200
    assert "An office named garage already exists." in response.content.decode()
    assert Office.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_owner_deletes_an_office_and_it_is_audited(owner_client):
    office = OfficeFactory(name="Garage")
    owner_client.post(reverse("controlpanel:delete_office", args=[office.pk]))
    assert not Office.objects.exists()
    event = AuditEvent.objects.get(kind="office.deleted")
    assert event.metadata == {"office": "Garage"}
    assert event.office_label == "all"


def test_an_office_that_is_someones_only_office_cannot_be_deleted(owner_client):
    office = OfficeFactory(name="Garage")
    UserFactory(role=Role.AGENT, first_name="Dana", last_name="Cruz", offices=[office])
    response = owner_client.post(
        reverse("controlpanel:delete_office", args=[office.pk]), follow=True
    )
    assert "Garage is the only office of Dana Cruz" in response.content.decode()
    assert Office.objects.filter(pk=office.pk).exists()


def test_offices_page_lists_offices_with_their_user_counts(
    owner_client, django_assert_max_num_queries
):
    for name in ("Sliding", "Garage", "General"):
        UserFactory(offices=[OfficeFactory(name=name)])
    with django_assert_max_num_queries(6):
        page = owner_client.get(reverse("controlpanel:offices")).content.decode()
    assert "Sliding" in page and "Garage" in page and "General" in page


def test_an_office_with_leads_and_jobs_is_refused_with_what_it_still_has(owner_client):
    office = OfficeFactory(name="Garage")
    LeadFactory.create_batch(2, office=office)
    JobFactory(office=office)
    response = owner_client.post(
        reverse("controlpanel:delete_office", args=[office.pk]), follow=True
    )
    assert "Garage still has 2 leads and 1 job: it can&#x27;t be deleted." in (
        response.content.decode()
    )
    assert Office.objects.filter(pk=office.pk).exists()
    assert not AuditEvent.objects.filter(kind="office.deleted").exists()
