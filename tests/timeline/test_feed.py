import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from crm.timeline.models import TimelineEntry
from tests.factories import OfficeFactory, TimelineEntryFactory, UserFactory

pytestmark = pytest.mark.django_db
FEED = reverse("timeline:feed")


@pytest.fixture
def sliding():
    return OfficeFactory(name="Sliding")


@pytest.fixture
def garage():
    return OfficeFactory(name="Garage")


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.FINANCE_ADMIN, Role.VIEWER])
def test_admins_viewers_and_owners_open_the_timeline(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(FEED).status_code == 200


@pytest.mark.parametrize("role", [Role.AGENT, Role.PARTNER])
def test_agents_and_partners_are_refused(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    assert client.get(FEED).status_code == 403


def test_feed_shows_each_entry_with_lead_name_type_body_and_actor(client, sliding):
    omri = UserFactory(role=Role.ADMIN, first_name="Omri", last_name="Levi", offices=[sliding])
    TimelineEntryFactory(
        office=sliding, subject_label="Maria Lopez", kind="call", body="Tried to call", actor=omri
    )
    client.force_login(omri)
    page = client.get(FEED).content.decode()
    assert "Maria Lopez" in page
    assert "Calls" in page
    assert "Tried to call" in page
    assert "Omri Levi" in page


def test_non_owners_see_only_their_offices(client, sliding, garage):
    TimelineEntryFactory(office=sliding, subject_label="Sliding Lead")
    TimelineEntryFactory(office=garage, subject_label="Garage Lead")
    client.force_login(UserFactory(role=Role.ADMIN, offices=[sliding]))
    page = client.get(FEED).content.decode()
    assert "Sliding Lead" in page
    assert "Garage Lead" not in page


def test_an_office_filter_cannot_widen_the_scope(client, sliding, garage):
    TimelineEntryFactory(office=garage, subject_label="Garage Lead")
    client.force_login(UserFactory(role=Role.ADMIN, offices=[sliding]))
    page = client.get(FEED, {"office": [garage.pk]}).content.decode()
    assert "Garage Lead" not in page
    assert "Select a valid choice" in page


def test_filters_by_office_type_user_and_date(client, owner, sliding, garage):
    dana = UserFactory(first_name="Dana", offices=[sliding])
    now = timezone.now()
    TimelineEntryFactory(office=sliding, subject_label="Alpha", kind="note", actor=dana)
    TimelineEntryFactory(office=garage, subject_label="Bravo", kind="note")
    TimelineEntryFactory(office=sliding, subject_label="Charlie", kind="call", actor=dana)
    TimelineEntryFactory(
        office=sliding,
        subject_label="Delta",
        kind="note",
        created_at=now - datetime.timedelta(days=3),
    )
    client.force_login(owner)

    def labels(**params):
        page = client.get(FEED, params).content.decode()
        return {label for label in ("Alpha", "Bravo", "Charlie", "Delta") if label in page}

    assert labels() == {"Alpha", "Bravo", "Charlie", "Delta"}
    assert labels(office=[sliding.pk]) == {"Alpha", "Charlie", "Delta"}
    assert labels(kind=["note"]) == {"Alpha", "Bravo", "Delta"}
    assert labels(user=dana.pk) == {"Alpha", "Charlie"}
    assert labels(range="48h") == {"Alpha", "Bravo", "Charlie"}
    day = (
        (now - datetime.timedelta(days=3))
        .astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
        .date()
    )
    assert labels(range="custom", date_from=day.isoformat(), date_to=day.isoformat()) == {"Delta"}
    assert labels(office=[sliding.pk], kind=["note"], range="48h") == {"Alpha"}


def test_today_follows_the_new_york_clock(client, owner, sliding):
    # 03:30 UTC is still "yesterday" evening in New York.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 3, 30, tzinfo=datetime.UTC)):
        TimelineEntryFactory(office=sliding, subject_label="Late Evening")
    with time_machine.travel(datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.UTC)):
        TimelineEntryFactory(office=sliding, subject_label="This Morning")
        client.force_login(owner)
        page = client.get(FEED, {"range": "today"}).content.decode()
    assert "This Morning" in page
    assert "Late Evening" not in page


def test_a_backwards_custom_range_is_explained(client, owner):
    client.force_login(owner)
    page = client.get(
        FEED, {"range": "custom", "date_from": "2026-05-10", "date_to": "2026-05-01"}
    ).content.decode()
    assert "The start date must be on or before the end date." in page


def test_scrolling_pages_by_keyset_through_every_entry_once(client, owner, sliding):
    start = timezone.now() - datetime.timedelta(hours=1)
    # Pairs share a timestamp, so the id must break ties without skipping or repeating.
    for number in range(120):
        TimelineEntryFactory(
            office=sliding,
            subject_label=f"Lead {number:03d}",
            created_at=start + datetime.timedelta(seconds=number // 2),
        )
    client.force_login(owner)
    seen, cursor, pages = [], "", 0
    while True:
        params = {"cursor": cursor} if cursor else {}
        response = client.get(
            FEED, params, headers={"HX-Request": "true", "HX-Target": "feed-more"}
        )
        rows = response.context["page"].rows
        seen += [row["subject_label"] for row in rows]
        cursor = response.context["page"].next_cursor
        pages += 1
        if not cursor:
            break
    assert pages == 3
    assert seen == [f"Lead {number:03d}" for number in reversed(range(120))]
    assert (
        "OFFSET" not in str(TimelineEntry.objects.order_by("-created_at", "-pk")[:51].query).upper()
    )


def test_the_first_page_carries_a_sentinel_that_loads_older_rows(client, owner, sliding):
    for _ in range(51):
        TimelineEntryFactory(office=sliding)
    client.force_login(owner)
    page = client.get(FEED).content.decode()
    assert 'hx-trigger="revealed"' in page
    assert "cursor=" in page


def test_feed_query_count_is_flat(client, owner, sliding, django_assert_max_num_queries):
    actor = UserFactory(offices=[sliding])
    for _ in range(40):
        TimelineEntryFactory(office=sliding, actor=actor)
    client.force_login(owner)
    client.get(FEED)  # the first page load stores the live-sync scope in the session
    with django_assert_max_num_queries(5):
        client.get(FEED)


def test_the_filter_choices_cost_no_query_once_cached(
    client, owner, sliding, django_assert_num_queries
):
    TimelineEntryFactory.create_batch(5, office=sliding)
    client.force_login(owner)
    client.get(FEED)
    with django_assert_num_queries(3):  # the user, their offices, the rows
        page = client.get(FEED).content.decode()
    assert f'value="{sliding.pk}"> Sliding' in page


def test_a_renamed_or_new_staff_login_shows_in_the_user_filter_at_once(client, owner):
    client.force_login(owner)
    client.get(FEED)
    dana = UserFactory(first_name="Dana", last_name="Reyes")
    assert "Dana Reyes" in client.get(FEED).content.decode()
    dana.first_name = "Danielle"
    dana.save()
    page = client.get(FEED).content.decode()
    assert "Danielle Reyes" in page and "Dana Reyes" not in page
    partner_login = UserFactory(role=Role.PARTNER, first_name="Partner", last_name="Login")
    assert partner_login.full_name not in client.get(FEED).content.decode()


def test_the_filter_row_keeps_what_was_picked_and_escapes_names(client, owner, sliding):
    UserFactory(first_name="<b>Bold</b>", last_name="Name")
    client.force_login(owner)
    query = {"office": [sliding.pk], "kind": ["call"], "range": "custom", "date_from": "2026-01-02"}
    page = client.get(FEED, query).content.decode()
    assert f'name="office" value="{sliding.pk}" checked> Sliding' in page
    assert 'value="call" checked> Calls' in page
    assert '<option value="custom" selected>Custom range</option>' in page
    assert 'name="date_from" value="2026-01-02"' in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in page and "<b>Bold</b>" not in page


def test_every_typed_value_in_a_row_is_escaped_and_lines_break(client, owner):
    evil = '<img src=x onerror="alert(1)">'
    office = OfficeFactory(name=f"Office {evil}")
    actor = UserFactory(first_name=evil, last_name="Doe", offices=[office])
    TimelineEntryFactory(
        office=office, subject_label=f"Lead {evil}", body=f"line one {evil}\nline two", actor=actor
    )
    client.force_login(owner)
    page = client.get(FEED).content.decode()
    assert "<img" not in page
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert f'title="Lead {escaped}">Lead {escaped}</strong>' in page
    assert f"line one {escaped}<br>line two" in page
    assert f'title="{escaped} Doe">{escaped} Doe</span>' in page
    assert f'title="Office {escaped}">Office {escaped}</span>' in page
