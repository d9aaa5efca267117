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
    assert "Open the Control Panel" in page
    assert "Edit Finance" in page
    assert (
        page.count('title="allowed"') + page.count('title="denied"')
        == len(permissions.CAPABILITIES) * 6
    )


def test_permissions_page_speaks_user_words_with_a_help_chapter_per_row(client, owner):
    client.force_login(owner)
    page = client.get(reverse("controlpanel:permissions")).content.decode()
    table = page[page.index('<table class="table matrix">') :]
    # No file paths, code names or notes debating the spec: the owner reads this page.
    for developer_text in (".py", "crm/", "spec", "⚠", "controlpanel.access", "leads.view"):
        assert developer_text not in page, developer_text
    assert "Help chapter" in table
    for capability in permissions.CAPABILITIES:
        assert capability.chapter, f"{capability.name} names no help chapter"
        assert f'<td class="small">{capability.chapter.replace("&", "&amp;")}</td>' in table
    assert "Partners see only the leads sent by their own company." in table


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
