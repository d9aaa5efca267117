import pytest
from django.urls import reverse

from crm.timeline.models import AuditEvent
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


def test_each_office_card_shows_its_jobs_state(client, owner):
    OfficeFactory(name="Garage")
    OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    client.force_login(owner)
    page = client.get(reverse("controlpanel:office_settings")).content.decode()
    assert "🔧 Jobs enabled" in page
    assert "🔧 Jobs disabled" in page


def test_unticking_enabled_switches_jobs_off_and_is_audited(client, owner):
    office = OfficeFactory(name="Garage")
    client.force_login(owner)
    response = client.post(
        reverse("controlpanel:toggle_jobs_feature", args=[office.pk]),
        {},
        headers={"HX-Request": "true"},
    )
    assert "🔧 Jobs disabled" in response.content.decode()
    office.refresh_from_db()
    assert not office.is_jobs_enabled
    assert (
        AuditEvent.objects.get(kind="office.settings_changed").text
        == "Jobs feature disabled for Garage"
    )

    response = client.post(
        reverse("controlpanel:toggle_jobs_feature", args=[office.pk]),
        {"is_jobs_enabled": "on"},
        headers={"HX-Request": "true"},
    )
    assert "🔧 Jobs enabled" in response.content.decode()
    office.refresh_from_db()
    assert office.is_jobs_enabled
