"""The dashboard at scale: tiers read from indexes, keyset pages, counters, indexed search."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.db.models import Count
from django.urls import reverse

from crm.accounts.models import Role
from leads import services
from leads.models import Lead, LeadCounter, Status
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

DASHBOARD = reverse("leads:dashboard")
NOW = datetime.datetime(2026, 5, 4, 13, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
IS_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def sliding(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def names(response) -> list[str]:
    return [row["name"] for row in response.context["rows"]]


def ids(response) -> list[int]:
    return [row["id"] for row in response.context["rows"]]


def lead(name, *, office, status=Status.FRESH, minutes_ago=60, next_contact=None, **extra):
    first, last = name.split()
    return LeadFactory(
        office=office,
        first_name=first,
        last_name=last,
        status=status,
        received_at=NOW - datetime.timedelta(minutes=minutes_ago),
        next_contact_at=next_contact,
        **extra,
    )


def expected_order(now) -> list[int]:
    """The order `with_tier` defines, computed the slow way (a sort of every lead)."""
    return list(
        Lead.objects.filter(is_archived=False).dashboard_order(now).values_list("id", flat=True)
    )


@time_machine.travel(NOW, tick=False)
def test_the_page_follows_with_tier_for_every_kind_of_lead(owner_client, sliding):
    past, future = NOW - 5 * MINUTE, NOW + 3 * MINUTE
    lead("Fresh Snoozed", office=sliding, next_contact=future, minutes_ago=1)  # 3
    lead("Fresh Overdue", office=sliding, next_contact=past, minutes_ago=2)  # 1
    lead("Nys Unset", office=sliding, status=Status.NOT_YET_SCHEDULED, minutes_ago=3)  # 3
    lead("Cora Due", office=sliding, status=Status.CONSULTATION_CALL, next_contact=past)  # 1
    lead("Carl Converted", office=sliding, status=Status.CONVERTED, minutes_ago=4)  # 4
    lead("Irene Irrelevant", office=sliding, status=Status.IRRELEVANT, minutes_ago=5)  # 5
    lead("Fay Fresh", office=sliding, minutes_ago=6)  # 2
    response = owner_client.get(DASHBOARD)
    assert ids(response) == expected_order(NOW)
    assert names(response) == [
        "Fresh Overdue",
        "Cora Due",
        "Fay Fresh",
        "Fresh Snoozed",
        "Nys Unset",
        "Carl Converted",
        "Irene Irrelevant",
    ]


def test_a_callback_moves_to_the_top_tier_at_its_minute_with_no_write(owner_client, sliding):
    callback = NOW + 5 * MINUTE
    lead("Fay Fresh", office=sliding, minutes_ago=1)
    lead("Maya Callback", office=sliding, status=Status.NEEDS_FOLLOW_UP, next_contact=callback)
    with time_machine.travel(callback - MINUTE, tick=False):
        response = owner_client.get(DASHBOARD)
        assert names(response) == ["Fay Fresh", "Maya Callback"]
        assert response.context["rows"][1]["urgency"] == "medium"
    with time_machine.travel(callback, tick=False):
        response = owner_client.get(DASHBOARD)
        assert names(response) == ["Maya Callback", "Fay Fresh"]
        assert response.context["rows"][0]["urgency"] == "high"


@time_machine.travel(NOW, tick=False)
def test_keyset_pages_cross_tiers_and_lose_or_repeat_nothing_while_leads_arrive(
    owner_client, sliding
):
    past, future = NOW - 5 * MINUTE, NOW + 3 * MINUTE
    kinds = [
        {"status": Status.NEEDS_FOLLOW_UP, "next_contact": past},
        {"status": Status.FRESH},
        {"status": Status.NOT_YET_SCHEDULED, "next_contact": future},
        {"status": Status.CONVERTED},
        {"status": Status.IRRELEVANT},
    ]
    for number in range(70):
        # Ties on the time received inside a tier: the id settles them.
        lead(f"Lead N{number}", office=sliding, minutes_ago=number // 3, **kinds[number % 5])
    before = expected_order(NOW)
    seen, url, arrivals = [], DASHBOARD, []
    while url:
        response = owner_client.get(url)
        seen += ids(response)
        # A new Fresh lead lands between pages: it belongs above the cursor, never below.
        arrivals.append(lead(f"New N{len(arrivals)}", office=sliding, minutes_ago=0).pk)
        url = DASHBOARD + response.context["next_url"] if response.context["next_url"] else ""
    assert len(seen) == len(set(seen))
    assert [pk for pk in seen if pk not in arrivals] == before
    assert "51–70 of 72 leads" in response.content.decode()  # two arrivals before it


@time_machine.travel(NOW, tick=False)
def test_a_status_filter_pages_both_ways_across_due_and_future_callbacks(owner_client, sliding):
    past, future = NOW - 5 * MINUTE, NOW + 3 * MINUTE
    for number in range(64):
        status = (Status.NEEDS_FOLLOW_UP, Status.NOT_YET_SCHEDULED, Status.CONVERTED)[number % 3]
        when = (past, future)[number % 2] if status != Status.CONVERTED else None
        lead(f"Lead N{number}", office=sliding, status=status, next_contact=when,
             minutes_ago=number // 4)  # fmt: skip
    waiting = [Status.NEEDS_FOLLOW_UP, Status.NOT_YET_SCHEDULED]
    expected = list(
        Lead.objects.filter(is_archived=False, status__in=waiting)
        .dashboard_order(NOW)
        .values_list("id", flat=True)
    )
    query = f"?status={waiting[0]}&status={waiting[1]}"
    pages, url = [], DASHBOARD + query
    while url:
        response = owner_client.get(url)
        pages.append(response)
        url = DASHBOARD + response.context["next_url"] if response.context["next_url"] else ""
    assert [pk for page in pages for pk in ids(page)] == expected  # 43 rows, 2 tiers
    back = owner_client.get(DASHBOARD + pages[-1].context["previous_url"])
    assert ids(back) == ids(pages[-2])


@time_machine.travel(NOW, tick=False)
def test_prev_goes_back_to_the_same_rows(owner_client, sliding):
    for number in range(60):
        lead(f"Lead N{number}", office=sliding, minutes_ago=number)
    first = owner_client.get(DASHBOARD)
    second = owner_client.get(DASHBOARD + first.context["next_url"])
    third = owner_client.get(DASHBOARD + second.context["next_url"])
    assert "51–60 of 60 leads" in third.content.decode()
    back = owner_client.get(DASHBOARD + third.context["previous_url"])
    assert ids(back) == ids(second)
    assert "26–50 of 60 leads" in back.content.decode()


def test_a_forged_cursor_shows_the_first_page(owner_client, sliding):
    LeadFactory(office=sliding)
    for cursor in ("x", "9.1.1", "1.99999999999999999999.1", "1.2"):
        response = owner_client.get(DASHBOARD, {"after": cursor, "n": "abc"})
        assert response.status_code == 200
        assert len(response.context["rows"]) == 1


@time_machine.travel(NOW, tick=False)
def test_every_filter_of_the_filter_row_narrows_rows_and_total(owner_client, sliding):
    garage = OfficeFactory(name="Garage")
    yelp = lead_source("yelp")
    lead("Sam Sliding", office=sliding, source=yelp)
    lead("Gail Garage", office=garage, source=yelp, is_transferred=True)
    lead("Bob Bookback", office=garage, is_bookback=True, campaign="Spring Doors")
    lead("Cal Converted", office=garage, status=Status.CONVERTED, source=yelp)
    lead(
        "Mo Medium",
        office=sliding,
        status=Status.NEEDS_FOLLOW_UP,
        next_contact=NOW + 30 * MINUTE,
    )
    lead("Old Timer", office=sliding, minutes_ago=60 * 24 * 40, zip_code="90210")

    def shown(**params):
        response = owner_client.get(DASHBOARD, params)
        count = len(response.context["rows"])
        assert response.context["page"].total == count, params
        return set(names(response))

    assert shown(office=[garage.pk]) == {"Gail Garage", "Bob Bookback", "Cal Converted"}
    assert shown(status=["converted", "needs_follow_up"]) == {"Cal Converted", "Mo Medium"}
    assert shown(office=[sliding.pk], status=["fresh"]) == {"Sam Sliding", "Old Timer"}
    assert shown(source=[yelp.pk]) == {"Sam Sliding", "Gail Garage", "Cal Converted"}
    assert shown(urgency=["medium"]) == {"Mo Medium"}
    assert shown(urgency=["low"]) == {"Cal Converted"}
    assert shown(transferred="on") == {"Gail Garage"}
    assert shown(bookback="on") == {"Bob Bookback"}
    assert "Old Timer" not in shown(range="30d")
    custom = {"range": "custom", "date_from": "2026-03-25", "date_to": "2026-03-25"}
    assert shown(**custom) == {"Old Timer"}
    assert shown(q="spring") == {"Bob Bookback"}
    assert shown(q="90210") == {"Old Timer"}


def test_an_agent_sees_her_offices_in_rows_and_total(client, sliding):
    garage = OfficeFactory(name="Garage")
    lead("Sam Sliding", office=sliding)
    lead("Gail Garage", office=garage)
    lead("Arch Ived", office=sliding, is_archived=True)
    client.force_login(UserFactory(role=Role.AGENT, offices=[sliding]))
    response = client.get(DASHBOARD)
    assert names(response) == ["Sam Sliding"]
    assert "1–1 of 1 lead" in response.content.decode()
    response = client.get(DASHBOARD, {"office": [garage.pk], "status": ["fresh"]})
    assert names(response) == [] and response.context["page"].total == 0


def test_a_partner_sees_only_its_own_leads_with_their_office_names(client, sliding):
    lead("Gus Gdq", office=sliding, partner_name="GDQ")
    lead("Ray Raful", office=sliding, partner_name="Raful")
    client.force_login(UserFactory(role=Role.PARTNER, partner_name="gdq"))
    response = client.get(DASHBOARD)
    assert names(response) == ["Gus Gdq"]
    assert response.context["rows"][0]["office"] == "Sliding"
    assert "1–1 of 1 lead" in response.content.decode()


def test_the_page_runs_the_same_few_queries_at_5_and_25_rows(
    owner_client, sliding, django_assert_num_queries
):
    claimer = UserFactory(offices=[sliding])
    for _ in range(5):
        LeadFactory(office=sliding, claimed_by=claimer)
    owner_client.get(DASHBOARD)  # the cached source list is filled
    # The user (the session is cached), the user's offices, the rows (one UNION ALL, the
    # claimer joined in), the counters. A search counts its matches in its rows statement.
    with django_assert_num_queries(4):
        assert len(owner_client.get(DASHBOARD).context["rows"]) == 5
    with django_assert_num_queries(3):
        assert len(owner_client.get(DASHBOARD, {"q": "Xqzvwj"}).context["rows"]) == 0
    for _ in range(30):
        LeadFactory(office=sliding, claimed_by=claimer, status=Status.CONVERTED)
    with django_assert_num_queries(4):
        assert len(owner_client.get(DASHBOARD).context["rows"]) == 25
    with django_assert_num_queries(3):
        assert len(owner_client.get(DASHBOARD, {"q": "Xqzvwj"}).context["rows"]) == 0


def test_the_live_refresh_returns_rows_and_a_total_without_counting(
    owner_client, sliding, django_assert_num_queries
):
    LeadFactory(office=sliding, first_name="Newbie")
    owner_client.get(DASHBOARD)
    with django_assert_num_queries(4) as captured:
        response = owner_client.get(
            DASHBOARD, headers={"HX-Request": "true", "HX-Target": "lead-rows"}
        )
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)
    page = response.content.decode()
    assert "<html" not in page and "Newbie" in page
    assert "1–1 of 1 lead" in page


def test_a_source_saved_in_the_cp_shows_at_once(owner_client, sliding):
    owner_client.get(DASHBOARD)  # caches the source list
    source = lead_source("yelp")
    source.label = "Yelp Ads"
    source.save()
    LeadFactory(office=sliding, source=source)
    response = owner_client.get(DASHBOARD)
    assert response.context["rows"][0]["source"] == "Yelp Ads"
    assert (source.pk, "Yelp Ads") in response.context["form"].fields["source"].choices


def test_counters_follow_create_status_office_and_archive(owner, sliding):
    garage = OfficeFactory(name="Garage")
    created = services.create_lead(
        office=sliding, source=lead_source(), first_name="Ann", actor=owner
    )
    services.change_status(lead=created, actor=owner, status=Status.CONVERTED)
    services.update_field(lead=created, actor=owner, field="office", value=garage)
    LeadFactory(office=sliding)
    archived = LeadFactory(office=sliding)
    services.archive_lead(lead=archived, actor=owner)
    assert counters() == truth() == {(garage.pk, "converted"): 1, (sliding.pk, "fresh"): 1}
    services.restore_lead(lead=archived, actor=owner)
    assert counters() == truth() == {(garage.pk, "converted"): 1, (sliding.pk, "fresh"): 2}


def counters() -> dict:
    return {
        (counter.office_id, counter.status): counter.count
        for counter in LeadCounter.objects.all()
        if counter.count
    }


def truth() -> dict:
    rows = (
        Lead.objects.filter(is_archived=False)
        .values("office_id", "status")
        .annotate(total=Count("id"))
        .order_by()
    )
    return {(row["office_id"], row["status"]): row["total"] for row in rows}


@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite serialises every writer: no race to lose")
@pytest.mark.django_db(transaction=True)
def test_counters_stay_exact_under_concurrent_actions():
    owner = UserFactory(role=Role.OWNER)
    sliding, garage = OfficeFactory(name="Sliding"), OfficeFactory(name="Garage")
    leads = [LeadFactory(office=sliding) for _ in range(24)]
    source = lead_source()
    start = threading.Barrier(6)
    errors = []

    def work(number: int):
        try:
            start.wait()
            for step, lead in enumerate(leads[number::6]):
                status = [Status.CONVERTED, Status.IRRELEVANT, Status.NEEDS_FOLLOW_UP][step % 3]
                services.change_status(
                    lead=lead,
                    actor=owner,
                    status=status,
                    next_contact_at=datetime.datetime.now(datetime.UTC)
                    + datetime.timedelta(hours=1),
                    reason="prank",
                )
                services.update_field(lead=lead, actor=owner, field="office", value=garage)
                services.create_lead(
                    office=[sliding, garage][step % 2],
                    source=source,
                    first_name=f"New {number}-{step}",
                    actor=owner,
                )
        except Exception as error:  # surfaced below, with the thread's story
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Lead.objects.count() == 48
    assert counters() == truth()
    assert sum(counters().values()) == 48


@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite searches by substring: no trigrams")
@time_machine.travel(NOW, tick=False)
def test_a_misspelt_name_finds_the_lead_best_match_first(owner_client, sliding):
    lead("Maria Lopez", office=sliding, minutes_ago=5)
    lead("Mario Rossi", office=sliding, minutes_ago=1)
    lead("John Smith", office=sliding, minutes_ago=2)
    assert "Maria Lopez" in names(owner_client.get(DASHBOARD, {"q": "marai"}))
    assert names(owner_client.get(DASHBOARD, {"q": "marria"}))[0] == "Maria Lopez"
    assert names(owner_client.get(DASHBOARD, {"q": "lopes"})) == ["Maria Lopez"]
    assert names(owner_client.get(DASHBOARD, {"q": "smiht"})) == ["John Smith"]


@time_machine.travel(NOW, tick=False)
def test_searches_of_one_shape_each_find_their_own_leads(owner_client, sliding):
    # The statement is compiled once per shape (leads.search_rows) and reused: every search
    # below after the first of its kind runs with its own words swapped in.
    lead("Maria Lopez", office=sliding, phone="+13055550142")
    lead("Ravi Patel", office=sliding, phone="+17865550199")
    lead("Dana 100%", office=sliding, phone="+19545550123")
    assert names(owner_client.get(DASHBOARD, {"q": "lopez"})) == ["Maria Lopez"]
    assert names(owner_client.get(DASHBOARD, {"q": "patel"})) == ["Ravi Patel"]
    assert names(owner_client.get(DASHBOARD, {"q": "maria 305"})) == ["Maria Lopez"]
    assert names(owner_client.get(DASHBOARD, {"q": "ravi 786"})) == ["Ravi Patel"]
    assert names(owner_client.get(DASHBOARD, {"q": "100%"})) == ["Dana 100%"]
    filtered = {"q": "patel", "status": Status.FRESH, "office": sliding.pk}
    assert names(owner_client.get(DASHBOARD, filtered)) == ["Ravi Patel"]
    filtered["q"] = "lopez"
    assert names(owner_client.get(DASHBOARD, filtered)) == ["Maria Lopez"]
