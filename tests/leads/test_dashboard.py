import datetime

import pytest
import time_machine
from django.urls import reverse

from crm.accounts.models import Role
from leads.models import Lead, Status
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("leads:dashboard")
NOW = datetime.datetime(2026, 5, 4, 13, 0, tzinfo=datetime.UTC)  # 9:00 AM in New York


@pytest.fixture
def sliding():
    return OfficeFactory(name="Sliding")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def names(response) -> list[str]:
    return [row["name"] for row in response.context["rows"]]


def lead(name, *, office, status=Status.FRESH, hours_ago=1, next_contact=None, **extra):
    first, last = name.split()
    return LeadFactory(
        office=office,
        first_name=first,
        last_name=last,
        status=status,
        received_at=NOW - datetime.timedelta(hours=hours_ago),
        next_contact_at=next_contact,
        **extra,
    )


@time_machine.travel(NOW, tick=False)
def test_rows_follow_the_five_tiers_and_newest_first_inside_each(owner_client, sliding):
    past, future = NOW - datetime.timedelta(minutes=5), NOW + datetime.timedelta(hours=3)
    lead("Irene Irrelevant", office=sliding, status=Status.IRRELEVANT, hours_ago=1)
    lead("Carl Converted", office=sliding, status=Status.CONVERTED, hours_ago=2)
    lead(
        "Fiona Future",
        office=sliding,
        status=Status.NEEDS_FOLLOW_UP,
        next_contact=future,
        hours_ago=3,
    )
    lead(
        "Nina Nys",
        office=sliding,
        status=Status.NOT_YET_SCHEDULED,
        next_contact=future,
        hours_ago=1,
    )
    lead("Fred Fresh", office=sliding, hours_ago=5)
    lead("Fay Fresher", office=sliding, hours_ago=4)
    lead(
        "Olga Overdue",
        office=sliding,
        status=Status.NEEDS_FOLLOW_UP,
        next_contact=past,
        hours_ago=9,
    )
    lead(
        "Cora Consult",
        office=sliding,
        status=Status.CONSULTATION_CALL,
        next_contact=past,
        hours_ago=8,
    )
    response = owner_client.get(DASHBOARD)
    assert names(response) == [
        "Cora Consult",  # 1 overdue follow-ups, newest first
        "Olga Overdue",
        "Fay Fresher",  # 2 Fresh without a callback
        "Fred Fresh",
        "Nina Nys",  # 3 future callbacks
        "Fiona Future",
        "Carl Converted",  # 4
        "Irene Irrelevant",  # 5
    ]


def test_urgency_flips_from_medium_to_high_at_the_callback_minute(owner_client, sliding):
    callback = NOW + datetime.timedelta(minutes=5)
    lead("Maya Callback", office=sliding, status=Status.NEEDS_FOLLOW_UP, next_contact=callback)
    with time_machine.travel(callback - datetime.timedelta(minutes=1), tick=False):
        assert owner_client.get(DASHBOARD).context["rows"][0]["urgency"] == "medium"
    with time_machine.travel(callback, tick=False):
        assert owner_client.get(DASHBOARD).context["rows"][0]["urgency"] == "high"


@time_machine.travel(NOW, tick=False)
def test_filters_combine_and_stay_in_the_url(owner_client, sliding):
    garage = OfficeFactory(name="Garage")
    lead("Sam Sliding", office=sliding, source=lead_source("yelp"))
    lead("Gail Garage", office=garage, source=lead_source("yelp"), is_transferred=True)
    lead("Bob Bookback", office=garage, is_bookback=True)
    lead("Cal Converted", office=garage, status=Status.CONVERTED, source=lead_source("yelp"))
    yelp = lead_source("yelp").pk

    def shown(**params):
        return set(names(owner_client.get(DASHBOARD, params)))

    assert shown(office=[garage.pk]) == {"Gail Garage", "Bob Bookback", "Cal Converted"}
    assert shown(office=[garage.pk], source=[yelp]) == {"Gail Garage", "Cal Converted"}
    assert shown(status=["converted"]) == {"Cal Converted"}
    assert shown(urgency=["low"]) == {"Cal Converted"}
    assert shown(urgency=["high"]) == {"Sam Sliding", "Gail Garage", "Bob Bookback"}
    assert shown(transferred="on") == {"Gail Garage"}
    assert shown(bookback="on") == {"Bob Bookback"}
    page = owner_client.get(DASHBOARD, {"office": [garage.pk], "bookback": "on"}).content.decode()
    assert f'name="office" value="{garage.pk}" checked' in page
    assert 'name="bookback" checked' in page


def test_the_filter_row_shows_each_requests_own_choices_and_new_offices(owner_client, sliding):
    """The dropdowns and date inputs are drawn once per choices and values (leads.forms):
    a later request with other values, or a new office, is drawn afresh."""
    page = owner_client.get(DASHBOARD, {"status": ["fresh"]}).content.decode()
    assert 'name="status" value="fresh" checked' in page
    page = owner_client.get(DASHBOARD, {"status": ["converted"]}).content.decode()
    assert 'name="status" value="fresh" checked' not in page
    assert 'name="status" value="converted" checked' in page
    garage = OfficeFactory(name="Garage")
    owner_client.force_login(UserFactory(role=Role.OWNER))  # the office list is per user
    page = owner_client.get(DASHBOARD, {"date_from": "2026-01-05"}).content.decode()
    assert f'name="office" value="{garage.pk}"' in page
    assert 'value="2026-01-05"' in page


@time_machine.travel(NOW, tick=False)
def test_search_matches_name_phone_email_campaign_and_zip(owner_client, sliding):
    lead(
        "Maria Lopez",
        office=sliding,
        phone="+13055550142",
        email="maria@mail.com",
        campaign="Spring Doors",
    )
    lead("John Smith", office=sliding, phone="+17865550199", zip_code="90210")
    for text, expected in [
        ("maria", {"Maria Lopez"}),
        ("lopez mar", {"Maria Lopez"}),
        ("(305) 555-0142", {"Maria Lopez"}),
        ("0142", {"Maria Lopez"}),
        ("mail.com", {"Maria Lopez"}),
        ("spring", {"Maria Lopez"}),
        ("90210", {"John Smith"}),
        ("nobody", set()),
    ]:
        assert set(names(owner_client.get(DASHBOARD, {"q": text}))) == expected, text


@time_machine.travel(NOW, tick=False)
def test_date_presets_and_custom_range_filter_on_time_received(owner_client, sliding):
    lead("Today Lead", office=sliding, hours_ago=2)
    lead("Old Lead", office=sliding, hours_ago=24 * 10)
    assert names(owner_client.get(DASHBOARD, {"range": "today"})) == ["Today Lead"]
    assert set(names(owner_client.get(DASHBOARD, {"range": "30d"}))) == {"Today Lead", "Old Lead"}
    custom = {"range": "custom", "date_from": "2026-04-24", "date_to": "2026-04-24"}
    assert names(owner_client.get(DASHBOARD, custom)) == ["Old Lead"]


def test_pages_of_25_with_the_range_label(owner_client, sliding):
    for _ in range(48):
        LeadFactory(office=sliding)
    first = owner_client.get(DASHBOARD)
    assert "1–25 of 48 leads" in first.content.decode()
    second = owner_client.get(DASHBOARD + first.context["next_url"])
    assert len(second.context["rows"]) == 23
    assert "26–48 of 48 leads" in second.content.decode()
    assert not second.context["next_url"]
    back = owner_client.get(DASHBOARD + second.context["previous_url"])
    assert [row["id"] for row in back.context["rows"]] == [
        row["id"] for row in first.context["rows"]
    ]
    assert "1–25 of 48 leads" in back.content.decode()


def test_agents_see_only_their_offices_and_never_archived_leads(client, sliding):
    garage = OfficeFactory(name="Garage")
    lead("Sam Sliding", office=sliding)
    lead("Gail Garage", office=garage)
    lead("Arch Ived", office=sliding, is_archived=True)
    client.force_login(UserFactory(role=Role.AGENT, offices=[sliding]))
    assert names(client.get(DASHBOARD)) == ["Sam Sliding"]


def test_an_office_filter_outside_your_offices_shows_nothing(client, sliding):
    garage = OfficeFactory(name="Garage")
    lead("Gail Garage", office=garage)
    client.force_login(UserFactory(role=Role.AGENT, offices=[sliding]))
    assert names(client.get(DASHBOARD, {"office": [garage.pk]})) == []


def test_partners_see_only_leads_tied_to_their_partner_name(client, sliding):
    lead("Gus Gdq", office=sliding, partner_name="GDQ")
    lead("Ray Raful", office=sliding, partner_name="Raful")
    client.force_login(UserFactory(role=Role.PARTNER, partner_name="gdq"))
    assert names(client.get(DASHBOARD)) == ["Gus Gdq"]


def test_the_dashboard_query_count_does_not_grow_with_rows(
    owner_client, sliding, django_assert_max_num_queries
):
    owner_client.get(DASHBOARD)
    for _ in range(30):
        LeadFactory(office=sliding, claimed_by=UserFactory(offices=[sliding]))
    with django_assert_max_num_queries(12):
        response = owner_client.get(DASHBOARD)
    assert len(response.context["rows"]) == 25


def test_the_live_refresh_returns_only_rows(owner_client, sliding):
    LeadFactory(office=sliding, first_name="Newbie")
    response = owner_client.get(DASHBOARD, headers={"HX-Request": "true", "HX-Target": "lead-rows"})
    page = response.content.decode()
    assert "<html" not in page
    assert "Newbie" in page
    assert 'id="lead-count-update"' in page


@time_machine.travel(NOW, tick=False)
def test_lead_rows_show_the_spec_columns(owner_client, sliding):
    LeadFactory(
        office=sliding,
        first_name="Big",
        last_name="Lou",
        zip_code="33101",
        metro="Miami, FL",
        received_at=NOW - datetime.timedelta(hours=2),
        status=Status.NEEDS_FOLLOW_UP,
        next_contact_at=NOW + datetime.timedelta(hours=2, minutes=30),
    )
    page = owner_client.get(DASHBOARD).content.decode()
    for column in (
        "Office",
        "Time Received",
        "Full Name",
        "Phone",
        "TZ",
        "Metro",
        "Source",
        "Status",
        "BookBack AI",
        "Next Contact",
        "Actions",
    ):
        assert f"<th>{column}</th>" in page
    assert 'title="Big Lou"' in page and "Miami, FL" in page and "Facebook Ads" in page
    assert "<td>EDT</td>" in page  # the lead's zone, in May
    assert ">2h ago<" in page
    assert 'title="May 4, 11:30 AM EDT">May 4, 11:30 AM<' in page


def test_viewers_get_no_write_buttons(client, sliding):
    LeadFactory(office=sliding)
    client.force_login(UserFactory(role=Role.VIEWER, offices=[sliding]))
    page = client.get(DASHBOARD).content.decode()
    assert "+ New Lead" not in page and "📦 Archived" not in page and "Check Duplicates" not in page
    assert Lead.objects.count() == 1
