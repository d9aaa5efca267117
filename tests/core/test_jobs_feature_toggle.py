import pytest
from django.urls import reverse

from crm.accounts.models import Role
from tests.factories import OfficeFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_jobs_pages")]

JOBS_PAGES = ["/jobs", "/contractors", "/service-areas"]


@pytest.fixture
def florida():
    return OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)


@pytest.mark.parametrize("path", JOBS_PAGES)
def test_users_of_only_jobs_off_offices_are_sent_back_to_leads(client, florida, path):
    client.force_login(UserFactory(role=Role.ADMIN, offices=[florida]))
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == "/leads"


@pytest.mark.parametrize("path", JOBS_PAGES)
def test_users_with_a_jobs_on_office_open_the_jobs_pages(client, florida, path):
    client.force_login(
        UserFactory(role=Role.ADMIN, offices=[florida, OfficeFactory(name="Garage")])
    )
    assert client.get(path).status_code == 200


def test_nav_hides_jobs_links_for_jobs_off_users_and_shows_them_again_when_switched_on(
    client, florida
):
    client.force_login(UserFactory(role=Role.AGENT, offices=[florida]))
    page = client.get(reverse("accounts:directory")).content.decode()
    assert 'href="/leads"' in page
    assert 'href="/jobs"' not in page
    assert 'href="/contractors"' not in page
    assert 'href="/service-areas"' not in page

    florida.is_jobs_enabled = True
    florida.save()
    page = client.get(reverse("accounts:directory")).content.decode()
    assert 'href="/jobs"' in page
    assert 'href="/contractors"' in page


def test_active_page_is_highlighted_in_the_nav(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    page = client.get(reverse("accounts:directory")).content.decode()
    assert 'class="navlink navlink--active" href="/users"' in page
    assert 'class="navlink" href="/jobs"' in page


def test_home_is_leads_once_the_leads_page_exists(client):
    client.force_login(UserFactory(role=Role.VIEWER))
    assert client.get("/").url == "/leads"


def test_partner_is_not_redirected_but_refused_on_contractors(client):
    client.force_login(UserFactory(role=Role.PARTNER, partner_name="GDQ"))
    assert client.get("/contractors").status_code == 403
