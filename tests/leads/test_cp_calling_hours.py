import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent
from leads.calling_hours import window_for
from leads.models import CallingHours
from leads.services import calling_hours
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOURS = "/cp/calling-hours"
NON_OWNERS = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
SUNDAY, MONDAY = 6, 0


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def delete_url(row: CallingHours) -> str:
    return reverse("leads:cp_calling_hours_delete", args=[row.pk])


def test_a_state_without_a_row_uses_the_default_and_the_page_says_so(owner_client):
    response = owner_client.get(HOURS)
    assertContains(response, "9–21 (default)")
    assertContains(response, "No state has its own window yet")


def test_owner_sets_a_state_window_with_sunday_hours_and_it_is_audited(owner_client, owner):
    response = owner_client.post(
        HOURS,
        {
            "state": "FL",
            "start_hour": "8",
            "end_hour": "20",
            "sunday_start_hour": "10",
            "sunday_end_hour": "18",
        },
    )
    assert response.status_code == 302
    row = CallingHours.objects.get(state="FL")
    assert (row.start_hour, row.end_hour) == (8, 20)
    assert (row.sunday_start_hour, row.sunday_end_hour) == (10, 18)
    assert window_for("FL", MONDAY) == (8, 20)
    assert window_for("FL", SUNDAY) == (10, 18)
    event = AuditEvent.objects.get(kind="calling_hours.updated")
    assert event.actor == owner
    assert event.text == "FL calling hours: 9–21 → 8–20 (Sun 10–18)"
    assert event.metadata == {
        "state": "FL",
        "old": {"start": 9, "end": 21, "sunday_start": None, "sunday_end": None},
        "new": {"start": 8, "end": 20, "sunday_start": 10, "sunday_end": 18},
    }
    assert DomainEvent.objects.filter(name="calling_hours.saved").exists()
    page = owner_client.get(HOURS).content.decode()
    assert "Florida calling hours saved." in page
    assert "8–20" in page and "10–18" in page


def test_saving_an_existing_state_updates_its_row(owner_client):
    CallingHours.objects.create(
        state="FL", start_hour=8, end_hour=20, sunday_start_hour=10, sunday_end_hour=18
    )
    owner_client.post(HOURS, {"state": "fl", "start_hour": "9", "end_hour": "19"})
    row = CallingHours.objects.get()
    assert (row.state, row.start_hour, row.end_hour, row.sunday_start_hour) == ("FL", 9, 19, None)
    event = AuditEvent.objects.get(kind="calling_hours.updated")
    assert event.text == "FL calling hours: 8–20 (Sun 10–18) → 9–19"


def test_saving_an_unchanged_window_writes_no_audit_row(owner_client):
    CallingHours.objects.create(state="TX", start_hour=8, end_hour=20)
    owner_client.post(HOURS, {"state": "TX", "start_hour": "8", "end_hour": "20"})
    assert not AuditEvent.objects.exists()


def test_midnight_is_a_valid_end_hour(owner_client):
    owner_client.post(HOURS, {"state": "NV", "start_hour": "0", "end_hour": "24"})
    assert window_for("NV", MONDAY) == (0, 24)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"state": "ZZ"}, "Pick a US state (two letters, like FL), DC or PR."),
        ({"state": ""}, "This field is required."),
        ({"start_hour": "21", "end_hour": "9"}, "Calling hours must start before they end."),
        ({"start_hour": "9", "end_hour": "9"}, "Calling hours must start before they end."),
        ({"end_hour": "25"}, "Calling hours must be whole hours from 0 to 24."),
        ({"start_hour": "-1"}, "Calling hours must be whole hours from 0 to 24."),
        ({"start_hour": "8.5"}, "Enter a whole number."),
        ({"sunday_start_hour": "10"}, "Set both Sunday hours, or leave both empty."),
        ({"sunday_end_hour": "18"}, "Set both Sunday hours, or leave both empty."),
        (
            {"sunday_start_hour": "18", "sunday_end_hour": "10"},
            "Sunday hours must start before they end.",
        ),
        (
            {"sunday_start_hour": "10", "sunday_end_hour": "30"},
            "Sunday hours must be whole hours from 0 to 24.",
        ),
    ],
)
def test_a_bad_window_is_refused_and_changes_nothing(owner_client, data, message):
    response = owner_client.post(
        HOURS, {"state": "FL", "start_hour": "8", "end_hour": "20", **data}
    )
    assert response.status_code == 200
    assertContains(response, message)
    assert not CallingHours.objects.exists()
    assert not AuditEvent.objects.exists()


def test_dc_and_puerto_rico_are_accepted(owner):
    for state in ("DC", "pr"):
        calling_hours.save_calling_hours(actor=owner, state=state, start_hour=10, end_hour=18)
    assert set(CallingHours.objects.values_list("state", flat=True)) == {"DC", "PR"}


def test_the_table_lists_each_state_with_edit_and_remove(owner_client):
    fl = CallingHours.objects.create(state="FL", start_hour=8, end_hour=20)
    CallingHours.objects.create(
        state="TX", start_hour=9, end_hour=19, sunday_start_hour=12, sunday_end_hour=17
    )
    page = owner_client.get(HOURS).content.decode()
    assert "Florida" in page and "Texas" in page
    assert "12–17" in page
    assert f"{HOURS}?state=FL" in page
    assert delete_url(fl) in page
    assert "9–21 (default)" in page


def test_the_edit_link_fills_the_form_with_the_state_window(owner_client):
    CallingHours.objects.create(
        state="TX", start_hour=7, end_hour=19, sunday_start_hour=12, sunday_end_hour=17
    )
    page = owner_client.get(HOURS + "?state=tx").content.decode()
    assert "Edit TX" in page
    assert '<option value="TX" selected>' in page
    assert 'value="7"' in page and 'value="19"' in page and 'value="12"' in page


def test_removing_a_state_brings_back_the_default_and_is_audited(owner_client, owner):
    row = CallingHours.objects.create(state="FL", start_hour=8, end_hour=20)
    response = owner_client.post(delete_url(row), follow=True)
    assertContains(response, "FL is back to the default 9–21.")
    assert not CallingHours.objects.exists()
    assert window_for("FL", MONDAY) == (9, 21)
    event = AuditEvent.objects.get(kind="calling_hours.updated")
    assert event.actor == owner
    assert event.text == "FL calling hours: 8–20 → 9–21 (default)"


def test_removing_a_state_without_a_row_is_refused(owner):
    with pytest.raises(DomainError, match="FL already uses the default calling hours."):
        calling_hours.delete_calling_hours(actor=owner, state="fl")


def test_calling_hours_page_query_count_is_flat(owner_client, django_assert_max_num_queries):
    owner_client.get(HOURS)  # the first load stores the live-sync scope in the session
    with django_assert_max_num_queries(3):
        owner_client.get(HOURS)
    for state in ("FL", "TX", "CA", "NY", "GA", "AZ"):
        CallingHours.objects.create(state=state, start_hour=8, end_hour=20)
    with django_assert_max_num_queries(3):
        owner_client.get(HOURS)


@pytest.mark.parametrize("role", NON_OWNERS)
def test_non_owners_get_403_on_every_calling_hours_url(client, role):
    row = CallingHours.objects.create(state="FL", start_hour=8, end_hour=20)
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    for url in (HOURS, delete_url(row)):
        assert client.get(url).status_code == 403, url
        data = {"state": "TX", "start_hour": "1", "end_hour": "2"}
        assert client.post(url, data).status_code == 403, url
    assert list(CallingHours.objects.values_list("state", flat=True)) == ["FL"]
    assert not AuditEvent.objects.exists()
