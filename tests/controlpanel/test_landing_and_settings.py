import pytest
from django.urls import reverse

from crm import permissions
from crm.controlpanel.models import AppSettings
from crm.timeline.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_landing_shows_only_tiles_whose_pages_exist(client, owner):
    client.force_login(owner)
    page = client.get(reverse("controlpanel:index")).content.decode()
    for title in ("Offices", "Users", "Permissions", "App Settings", "Office Settings"):
        assert title in page
    assert "Online Booking Tool" in page  # arrived with the booking app


def test_permissions_page_shows_the_matrix_from_the_code(client, owner):
    client.force_login(owner)
    page = client.get(reverse("controlpanel:permissions")).content.decode()
    assert "controlpanel.access" in page
    assert "Edit Finance" in page
    assert (
        page.count('title="allowed"') + page.count('title="denied"')
        == len(permissions.CAPABILITIES) * 6
    )


def test_escalation_timer_is_saved_and_audited(client, owner):
    client.force_login(owner)
    client.post(reverse("controlpanel:app_settings"), {"escalation_timer_minutes": "25"})
    assert AppSettings.load().escalation_timer_minutes == 25
    event = AuditEvent.objects.get(kind="settings.changed")
    assert event.metadata == {"escalation_timer_minutes": [15, 25]}


@pytest.mark.parametrize("value", ["0", "-5", "abc", "99999"])
def test_a_bad_escalation_timer_is_refused(client, owner, value):
    client.force_login(owner)
    response = client.post(
        reverse("controlpanel:app_settings"), {"escalation_timer_minutes": value}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert AppSettings.load().escalation_timer_minutes == 15
