"""The Places key is sent to browsers; ZIP geocoding runs on the server with its own key
(GOOGLE_GEOCODING_API_KEY) when one is set, and that key never reaches a page."""

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains

from booking.services import create_embed
from crm.controlpanel.models import AppSettings
from tests.booking.conftest import TUESDAY_MORNING, embed_fields
from tests.contractors.test_geocoding import HIALEAH

pytestmark = pytest.mark.django_db

BROWSER_KEY = "AIza-browser-key-restricted-by-referrer"
SERVER_KEY = "AIza-server-key-restricted-by-ip"


@pytest.fixture
def google(fake_google, settings):
    fake_google.answer = (200, HIALEAH)
    app_settings = AppSettings.load()
    app_settings.google_places_api_key = BROWSER_KEY
    app_settings.save()
    settings.GOOGLE_GEOCODING_API_KEY = SERVER_KEY
    return fake_google


def test_a_zip_lookup_asks_google_with_the_server_key(client, owner, google):
    client.force_login(owner)

    response = client.get(reverse("contractors:service_area_lookup"), {"zip": "33012"})

    assert response.json()["city"] == "Hialeah"
    _, query = google.queries[0]
    assert query["key"] == [SERVER_KEY]


def test_without_a_server_key_the_places_key_geocodes(client, owner, google, settings):
    settings.GOOGLE_GEOCODING_API_KEY = ""
    client.force_login(owner)

    client.get(reverse("contractors:service_area_lookup"), {"zip": "33012"})

    _, query = google.queries[0]
    assert query["key"] == [BROWSER_KEY]


@pytest.mark.parametrize(
    "url",
    [
        "/contractors",
        "/service-areas",
        "/jobs",
        "/jobs/new",
        "/cp/",
        "/cp/google-places",
        "/cp/app-settings",
    ],
)
def test_no_page_carries_the_server_key(client, owner, google, url):
    client.force_login(owner)

    html = client.get(url).content.decode()

    assert SERVER_KEY not in html


def test_the_booking_step_carries_the_places_key_only(client, owner, office, google):
    create_embed(actor=owner, **embed_fields(office))
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = client.get("/book/sliding?service=1&slot=2025-01-14T12")

    assertContains(page, f'data-places-key="{BROWSER_KEY}"')
    assert SERVER_KEY not in page.content.decode()
