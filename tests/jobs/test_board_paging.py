"""🛠 The Jobs board's pages and 🚨 badge read only what they show: no COUNT over the window."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from jobs.models import Status
from jobs.views import ATTENTION_CAP, PAGE_SIZE
from tests.factories import ContractorFactory, JobFactory

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
    with django_assert_num_queries(5):  # user, offices, rows, the 🚨 badge, app settings
        signed_in.get(BOARD)
    JobFactory.create_batch(PAGE_SIZE, office=sliding, contractor=mike, starts_at=tomorrow(5))
    signed_in.get(BOARD)  # a saved job drops the cached zone list: read it again once
    with django_assert_num_queries(6):  # + Friday's whole count
        html = signed_in.get(BOARD).content.decode()
    assert f"Friday, May 1 · {PAGE_SIZE + 3} jobs" in html


def test_a_renamed_or_new_contractor_shows_in_the_filter_at_once(signed_in):
    mike = ContractorFactory(name="Mike Doors")
    assert "Mike Doors" in signed_in.get(BOARD).content.decode()
    mike.name = "Michael Doors"
    mike.save()
    ContractorFactory(name="Zed Gates")
    html = signed_in.get(BOARD).content.decode()
    assert "Michael Doors" in html and "Mike Doors" not in html and "Zed Gates" in html
