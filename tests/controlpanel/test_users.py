import pytest
from django.urls import reverse

from crm.accounts.models import Role, User
from crm.timeline.models import AuditEvent
from tests.factories import PASSWORD, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def user_data(**overrides):
    data = {
        "first_name": "Dana",
        "last_name": "Cruz",
        "email": "dana@example.com",
        "role": "agent",
        "is_active": "on",
        "password": "",
    }
    data.update(overrides)
    return data


def test_owner_creates_a_multi_office_agent_who_can_then_sign_in(owner_client, client):
    sliding, garage = OfficeFactory(name="Sliding"), OfficeFactory(name="Garage")
    response = owner_client.post(
        reverse("controlpanel:create_user"),
        user_data(offices=[sliding.pk, garage.pk], password="a-long-new-pass-42"),
    )
    assert response.status_code == 302
    dana = User.objects.get(email="dana@example.com")
    assert dana.role == Role.AGENT
    assert dana.office_label == "Garage,Sliding"
    assert AuditEvent.objects.filter(kind="user.created", metadata__user_id=dana.pk).exists()

    owner_client.logout()
    response = client.post(
        reverse("accounts:login"), {"email": "dana@example.com", "password": "a-long-new-pass-42"}
    )
    assert response.status_code == 302


def test_a_non_owner_without_offices_is_refused(owner_client):
    response = owner_client.post(
        reverse("controlpanel:create_user"), user_data(), headers={"HX-Request": "true"}
    )
    assert "Pick at least one office, or tick All offices." in response.content.decode()
    assert not User.objects.filter(email="dana@example.com").exists()


def test_all_offices_replaces_an_office_list(owner_client):
    owner_client.post(
        reverse("controlpanel:create_user"), user_data(role="viewer", has_all_offices="on")
    )
    assert User.objects.get(email="dana@example.com").office_label == "all"


def test_partner_is_not_a_role_the_users_screen_hands_out(owner_client, office):
    response = owner_client.post(
        reverse("controlpanel:create_user"), user_data(role="partner", offices=[office.pk])
    )
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="dana@example.com").exists()


def test_owner_edits_role_offices_and_deactivates(owner_client):
    sliding, garage = OfficeFactory(name="Sliding"), OfficeFactory(name="Garage")
    dana = UserFactory(email="dana@example.com", offices=[sliding])
    owner_client.post(
        reverse("controlpanel:edit_user", args=[dana.pk]),
        user_data(role="admin", offices=[garage.pk], is_active=""),
    )
    dana.refresh_from_db()
    assert (dana.role, dana.office_label, dana.is_active) == ("admin", "Garage", False)
    event = AuditEvent.objects.get(kind="user.updated")
    assert event.metadata["changes"]["role"] == ["agent", "admin"]


def test_new_password_is_set_and_never_shown_back(owner_client, client):
    dana = UserFactory(email="dana@example.com", offices=[OfficeFactory()])
    form_page = owner_client.get(reverse("controlpanel:edit_user", args=[dana.pk])).content.decode()
    assert dana.password not in form_page
    owner_client.post(
        reverse("controlpanel:edit_user", args=[dana.pk]),
        user_data(offices=[dana.offices.get().pk], password="brand-new-secret-77"),
    )
    dana.refresh_from_db()
    assert dana.check_password("brand-new-secret-77")
    assert not dana.check_password(PASSWORD)
    assert AuditEvent.objects.filter(kind="user.password_set").exists()
    form_page = owner_client.get(reverse("controlpanel:edit_user", args=[dana.pk])).content.decode()
    assert "brand-new-secret-77" not in form_page


def test_a_weak_password_is_refused(owner_client):
    dana = UserFactory(email="dana@example.com", offices=[OfficeFactory()])
    response = owner_client.post(
        reverse("controlpanel:edit_user", args=[dana.pk]),
        user_data(offices=[dana.offices.get().pk], password="12345678"),
    )
    assert "This password is too common." in response.content.decode()
    dana.refresh_from_db()
    assert dana.check_password(PASSWORD)


def test_owner_cannot_demote_or_deactivate_themselves(owner_client, owner):
    response = owner_client.post(
        reverse("controlpanel:edit_user", args=[owner.pk]),
        user_data(email=owner.email, role="admin", has_all_offices="on"),
    )
    assert "You cannot remove your own owner access" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_owner_deletes_a_user(owner_client):
    dana = UserFactory(email="dana@example.com")
    owner_client.post(reverse("controlpanel:delete_user", args=[dana.pk]))
    assert not User.objects.filter(pk=dana.pk).exists()
    assert AuditEvent.objects.get(kind="user.deleted").metadata == {"email": "dana@example.com"}


def test_owner_cannot_delete_themselves(owner_client, owner):
    response = owner_client.post(reverse("controlpanel:delete_user", args=[owner.pk]), follow=True)
    assert "You cannot delete your own account." in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()


def test_users_page_lists_every_user_with_flat_queries(owner_client, django_assert_max_num_queries):
    for _ in range(10):
        UserFactory()
    with django_assert_max_num_queries(6):
        response = owner_client.get(reverse("controlpanel:users"))
    assert response.content.decode().count("btn btn--sm btn--danger") == 10


def test_directory_is_read_only_for_everyone_but_the_owner(client, owner):
    UserFactory(first_name="Dana", last_name="Cruz")
    agent = UserFactory(role=Role.AGENT)
    client.force_login(agent)
    page = client.get(reverse("accounts:directory")).content.decode()
    assert "Dana Cruz" in page
    assert "Edit</a>" not in page
    client.force_login(owner)
    assert "Edit</a>" in client.get(reverse("accounts:directory")).content.decode()


def test_directory_opens_as_a_left_panel_from_the_topbar(client):
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:directory"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert 'data-close="left"' in page


def test_a_partner_cannot_open_the_staff_directory(client):
    """An outside company never reads the staff's names, emails and offices."""
    UserFactory(role=Role.AGENT, first_name="Dana", last_name="Cruz", email="dana@example.com")
    client.force_login(UserFactory(role=Role.PARTNER, partner_name="GDQ"))
    response = client.get(reverse("accounts:directory"))
    assert response.status_code == 403
    assert "dana@example.com" not in response.content.decode()
    topbar = client.get(reverse("leads:dashboard")).content.decode()
    assert reverse("accounts:directory") not in topbar
