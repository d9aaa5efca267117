import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from tests.factories import AuditEventFactory, UserFactory

pytestmark = pytest.mark.django_db
AUDIT = reverse("timeline:audit")


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
)
def test_only_the_owner_opens_the_audit_log(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    assert client.get(AUDIT).status_code == 403
    event = AuditEventFactory()
    assert client.get(reverse("timeline:audit_detail", args=[event.pk])).status_code == 403


def test_rows_show_actor_or_system_office_or_all_and_text(client, owner):
    AuditEventFactory(text="Office Garage added", actor_label="Olivia Owner", office_label="Garage")
    AuditEventFactory(kind="webhook.rate_limited", text="Facebook webhook rate limited")
    client.force_login(owner)
    page = client.get(AUDIT).content.decode()
    assert "Office Garage added" in page and "Olivia Owner" in page and "Garage" in page
    assert "Facebook webhook rate limited" in page and "System" in page and ">all<" in page


def test_filter_by_type_and_date_range(client, owner):
    AuditEventFactory(kind="office.added", text="Recent office")
    AuditEventFactory(kind="user.created", text="Recent user")
    AuditEventFactory(
        kind="office.added",
        text="Old office",
        created_at=timezone.now() - datetime.timedelta(days=40),
    )
    client.force_login(owner)
    page = client.get(AUDIT, {"kind": ["office.added"]}).content.decode()
    assert "Recent office" in page and "Old office" in page and "Recent user" not in page
    page = client.get(AUDIT, {"kind": ["office.added"], "range": "30d"}).content.decode()
    assert "Recent office" in page and "Old office" not in page


def test_clicking_a_row_opens_its_metadata_in_the_right_panel(client, owner):
    event = AuditEventFactory(text="Lead archived", metadata={"lead_id": 42, "reason": "spam"})
    client.force_login(owner)
    page = client.get(
        reverse("timeline:audit_detail", args=[event.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert '"lead_id": 42' in html.unescape(page)
    assert 'data-close="right"' in page


def test_every_typed_value_in_a_row_is_escaped(client, owner):
    evil = '<img src=x onerror="alert(1)">'
    AuditEventFactory(text=f"Renamed {evil}", actor_label=f"{evil} Doe", office_label=evil)
    client.force_login(owner)
    page = client.get(AUDIT).content.decode()
    assert "<img" not in page
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert f'<td class="log-table__text">Renamed {escaped}</td>' in page
    assert f'title="{escaped} Doe">{escaped} Doe</span>' in page
    assert f'title="{escaped}">{escaped}</span>' in page
