"""🛠 The Jobs board's pages and 🚨 badge read only what they show: no COUNT over the window."""

import datetime

import pytest
import time_machine
from django.core.cache import cache, caches
from django.urls import reverse

from crm.accounts.models import Role
from crm.controlpanel.services import set_google_places_key
from jobs.forms import filter_choices
from jobs.models import ZONES_CACHE_KEY, Status, zones_in_use
from jobs.services import archive_job
from jobs.views import ATTENTION_CAP, PAGE_SIZE
from tests.factories import ContractorFactory, JobFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

BOARD = reverse("jobs:dashboard")
NOON = datetime.datetime(2026, 4, 30, 16, 0, tzinfo=datetime.UTC)  # Thursday, noon in NY


@pytest.fixture(autouse=True)
def thursday():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def tomorrow(minutes: int) -> datetime.datetime:
    return datetime.datetime(2026, 5, 1, 13, 0, tzinfo=datetime.UTC) + datetime.timedelta(
        minutes=minutes
    )


def test_a_full_page_links_to_a_later_one_and_the_last_page_back(signed_in, sliding):
    mike = ContractorFactory()
    for n in range(PAGE_SIZE + 3):
        JobFactory(
            office=sliding, contractor=mike, last_name=f"Client{n:03d}", starts_at=tomorrow(n)
        )
    first = signed_in.get(BOARD).content.decode()
    assert f"Jobs 1–{PAGE_SIZE}" in first
    assert "page=2" in first and "← Earlier" not in first
    assert f"Client{PAGE_SIZE - 1:03d}" in first and f"Client{PAGE_SIZE:03d}" not in first
    last = signed_in.get(BOARD, {"page": 2}).content.decode()
    assert f"Jobs {PAGE_SIZE + 1}–{PAGE_SIZE + 3}" in last
    assert "← Earlier" in last and "Later →" not in last
    assert f"Client{PAGE_SIZE + 2:03d}" in last


def test_a_page_past_the_end_shows_the_first(signed_in, sliding):
    JobFactory(
        office=sliding, contractor=ContractorFactory(), last_name="Only", starts_at=tomorrow(0)
    )
    html = signed_in.get(BOARD, {"page": 9}).content.decode()
    assert "Only" in html and 'class="pager"' not in html


def test_the_attention_badge_stops_counting_at_its_cap(signed_in, sliding):
    JobFactory.create_batch(
        ATTENTION_CAP, office=sliding, status=Status.SUBMITTED, starts_at=tomorrow(0)
    )
    html = signed_in.get(BOARD).content.decode()
    assert f"Needs Attention (<span data-attention-count>{ATTENTION_CAP - 1}+</span>)" in html
    assert 'data-attention-count="99+"' in html and "is-pulsing" in html


def test_a_day_that_runs_past_the_page_shows_its_whole_count(signed_in, sliding):
    mike = ContractorFactory()
    for n in range(PAGE_SIZE + 3):
        JobFactory(office=sliding, contractor=mike, starts_at=tomorrow(n))
    JobFactory(office=sliding, contractor=mike, starts_at=tomorrow(24 * 60))  # Saturday
    first = signed_in.get(BOARD).content.decode()
    assert f"Tomorrow · Friday, May 1 · {PAGE_SIZE + 3} jobs" in first
    last = signed_in.get(BOARD, {"page": 2}).content.decode()
    assert f"Tomorrow · Friday, May 1 · {PAGE_SIZE + 3} jobs" in last
    assert "Saturday, May 2 · 1 job<" in last


def test_only_a_day_cut_by_the_page_costs_a_query(signed_in, sliding, django_assert_num_queries):
    mike = ContractorFactory()
    JobFactory.create_batch(3, office=sliding, contractor=mike, starts_at=tomorrow(0))
    signed_in.get(BOARD)
    # The 🚨 badge and the Google key come from the cache after the first load.
    with django_assert_num_queries(3):  # user, offices, rows
        signed_in.get(BOARD)
    JobFactory.create_batch(PAGE_SIZE, office=sliding, contractor=mike, starts_at=tomorrow(5))
    filter_choices(), zones_in_use()  # lists the saved jobs (and their types) dropped
    with django_assert_num_queries(4):  # + Friday's whole count
        signed_in.get(BOARD)
    with django_assert_num_queries(3):  # the count, cached until a job in scope changes
        html = signed_in.get(BOARD).content.decode()
    assert f"Friday, May 1 · {PAGE_SIZE + 3} jobs" in html


def test_a_warm_board_reads_the_cache_in_three_round_trips(signed_in, sliding, monkeypatch):
    """The session, then everything the page needs (settings, dropdowns, the live-sync
    stamp, the Google key), then its two cached counts: one GET_MANY each."""
    mike = ContractorFactory()
    for n in range(PAGE_SIZE + 3):  # a day split by the page: both counts are read
        JobFactory(office=sliding, contractor=mike, starts_at=tomorrow(n))
    signed_in.get(BOARD, {"page": 2})
    backend, reads, inside = caches["default"], [], []

    def counted(real):  # a backend's get_many may call its own get per key: one trip
        def read(*args, **kwargs):
            if not inside:
                reads.append(args[0])
            inside.append(True)
            try:
                return real(*args, **kwargs)
            finally:
                inside.pop()

        return read

    monkeypatch.setattr(backend, "get_many", counted(backend.get_many))
    monkeypatch.setattr(backend, "get", counted(backend.get))
    html = signed_in.get(BOARD, {"page": 2}).content.decode()
    assert f"Tomorrow · Friday, May 1 · {PAGE_SIZE + 3} jobs" in html
    assert len(reads) == 3, reads


def test_a_renamed_or_new_contractor_shows_in_the_filter_at_once(signed_in):
    mike = ContractorFactory(name="Mike Doors")
    assert "Mike Doors" in signed_in.get(BOARD).content.decode()
    mike.name = "Michael Doors"
    mike.save()
    ContractorFactory(name="Zed Gates")
    html = signed_in.get(BOARD).content.decode()
    assert "Michael Doors" in html and "Mike Doors" not in html and "Zed Gates" in html


def badge(client) -> str:
    html = client.get(BOARD).content.decode()
    return html.split("<span data-attention-count>")[1].split("<")[0]


def test_a_job_written_in_scope_shows_in_the_cached_badge_on_the_next_load(
    client, admin, sliding, django_capture_on_commit_callbacks
):
    first, _ = JobFactory.create_batch(  # no contractor: FIND CONTRACTOR
        2, office=sliding, status=Status.SUBMITTED, starts_at=tomorrow(0)
    )
    client.force_login(admin)
    assert badge(client) == "2"
    with django_capture_on_commit_callbacks(execute=True):  # the live-sync bump
        archive_job(job=first, actor=admin)
    assert badge(client) == "1"


def test_a_cached_badge_is_not_shown_to_a_user_of_another_scope(client, agent, sliding):
    JobFactory(office=sliding, status=Status.SUBMITTED, starts_at=tomorrow(0))
    elsewhere = UserFactory(role=Role.AGENT, offices=[OfficeFactory(name="Garage")])
    client.force_login(agent)
    assert badge(client) == "1"
    client.force_login(elsewhere)
    assert badge(client) == "0"


def test_a_day_count_follows_a_job_written_in_scope(
    signed_in, agent, sliding, django_capture_on_commit_callbacks
):
    mike = ContractorFactory()
    jobs = JobFactory.create_batch(
        PAGE_SIZE + 2, office=sliding, contractor=mike, starts_at=tomorrow(0)
    )
    label = f"Tomorrow · Friday, May 1 · {PAGE_SIZE + 2} jobs"
    assert label in signed_in.get(BOARD).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        archive_job(job=jobs[-1], actor=UserFactory(role=Role.ADMIN, offices=[sliding]))
    html = signed_in.get(BOARD).content.decode()
    assert f"Tomorrow · Friday, May 1 · {PAGE_SIZE + 1} jobs" in html and label not in html


def test_a_new_google_key_reaches_the_board_at_once(signed_in, owner):
    assert "maps.googleapis.com" not in signed_in.get(BOARD).content.decode()
    set_google_places_key(actor=owner, api_key="AIza-new-browser-key")
    assert "key=AIza-new-browser-key" in signed_in.get(BOARD).content.decode()


def test_a_reloaded_board_flags_rows_by_the_clock_of_each_load(signed_in, sliding):
    # The second load reuses the first one's compiled statement with its own clock.
    JobFactory(
        office=sliding,
        contractor=ContractorFactory(),
        status=Status.IN_PROGRESS,
        starts_at=NOON - datetime.timedelta(hours=3),
        ends_at=NOON - datetime.timedelta(hours=1),
    )
    assert "ASK FOR UPDATE" not in signed_in.get(BOARD).content.decode()
    with time_machine.travel(NOON + datetime.timedelta(hours=4), tick=False):
        html = signed_in.get(BOARD).content.decode()
    assert "🔵 ASK FOR UPDATE" in html


def test_the_zones_in_use_are_every_zone_a_job_is_booked_in_once(db):
    for zone in ("America/New_York", "America/Chicago", "America/New_York", "Pacific/Honolulu"):
        JobFactory(timezone=zone)
    cache.delete(ZONES_CACHE_KEY)
    assert zones_in_use() == ("America/Chicago", "America/New_York", "Pacific/Honolulu")
