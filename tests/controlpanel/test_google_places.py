import pytest
from django.urls import reverse

from contractors.geocoding import google_api_key
from crm.controlpanel.models import AppSettings
from crm.timeline.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("controlpanel:google_places")
KEY = "AIzaSyD-example-key-0123456789abcdef"


def test_the_key_is_stored_encrypted_and_never_sent_back(client, owner):
    client.force_login(owner)
    client.post(URL, {"google_places_api_key": KEY})
    assert AppSettings.load().google_places_api_key == KEY
    assert google_api_key() == KEY
    page = client.get(URL).content.decode()
    assert KEY not in page
    assert "✓ already set — leave blank to keep" in page
    event = AuditEvent.objects.get(kind="settings.changed")
    assert event.text == "Google Places API key set"
    assert KEY not in str(event.metadata)


def test_blank_keeps_the_key_and_remove_clears_it(client, owner):
    client.force_login(owner)
    client.post(URL, {"google_places_api_key": KEY})
    client.post(URL, {"google_places_api_key": ""})
    assert AppSettings.load().google_places_api_key == KEY
    client.post(URL, {"google_places_api_key": "", "remove": "on"})
    assert AppSettings.load().google_places_api_key == ""
    assert google_api_key() == ""  # offline ZIP data from now on


@pytest.mark.parametrize("role", ["admin", "finance_admin", "agent", "viewer", "partner"])
def test_only_the_owner_sets_the_key(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    assert client.post(URL, {"google_places_api_key": KEY}).status_code == 403
    assert AppSettings.load().google_places_api_key == ""


def test_the_page_says_the_key_is_sent_to_browsers(client, owner):
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert (
        "This key is sent to browsers: restrict it by HTTP referrer in Google Cloud Console."
        in page
    )
