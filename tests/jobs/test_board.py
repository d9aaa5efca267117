"""🛠 The Jobs board: day groups, filters, 🚨 Needs Attention, scope, and what a row shows."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from crm.accounts.models import Role
from jobs.models import Status
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTypeFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOARD = reverse("jobs:dashboard")
NOON = datetime.datetime(2026, 4, 30, 16, 0, tzinfo=datetime.UTC)  # Thursday, noon in NY


@pytest.fixture(autouse=True)
def thursday():
    with time_machine.travel(NOON, tick=False):
        yield


def at(days: int, hour: int = 14) -> datetime.datetime:
    """`hour` o'clock New York time, `days` from Thursday Apr 30."""
    return datetime.datetime(2026, 4, 30, hour + 4, 0, tzinfo=datetime.UTC) + datetime.timedelta(
        days=days
    )


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def page(client, **params) -> str:
    response = client.get(BOARD, params)
    assert response.status_code == 200
    return response.content.decode()


def test_rows_group_by_day_with_today_highlighted_and_counted(signed_in, sliding):
    JobFactory(office=sliding, first_name="Mike", last_name="Patel", starts_at=at(0, 14))
    JobFactory(office=sliding, first_name="Carmen", last_name="Diaz", starts_at=at(0, 16))
    JobFactory(office=sliding, first_name="Sarah", last_name="Kim", starts_at=at(1, 9))
    html = page(signed_in)
    assert "📅 Today · Thursday, Apr 30 · 2 jobs" in html
    assert "📅 Tomorrow · Friday, May 1 · 1 job" in html
    assert 'class="job-day is-today"' in html
    assert html.index("Mike Patel") < html.index("Carmen Diaz") < html.index("Sarah Kim")
    assert "Apr 30 · 2pm–4pm" in html


def test_the_default_window_is_three_days_back_and_seven_ahead(signed_in, sliding):
    for days, name in [(-4, "Too Old"), (-3, "Monday Job"), (7, "Next Thursday"), (8, "Too Far")]:
        JobFactory(office=sliding, first_name=name, last_name="X", starts_at=at(days))
    html = page(signed_in)
    assert "Monday Job" in html and "Next Thursday" in html
    assert "Too Old" not in html and "Too Far" not in html
    assert "Too Old" in page(signed_in, date="all")  # All Dates shows everything
    assert "✕ Clear filters" in page(signed_in, date="all")
    assert "✕ Clear filters" not in html


def test_past_days_are_marked_to_fold(signed_in, sliding):
    JobFactory(office=sliding, starts_at=at(-1))
    JobFactory(office=sliding, starts_at=at(1))
    html = page(signed_in)
    assert 'data-day="2026-04-29" data-past' in html
    assert 'data-day="2026-05-01">' in html


def test_needs_attention_counts_live_and_bypasses_the_date_filter(signed_in, sliding, agent):
    mike = ContractorFactory(name="Mike Hernandez")
    JobFactory(
        office=sliding,
        first_name="Old",
        last_name="Deposit",
        status=Status.DEPOSIT,
        contractor=mike,
        expected_completion=datetime.date(2026, 3, 1),
        starts_at=at(-40),
    )
    JobFactory(office=sliding, first_name="No", last_name="Contractor", starts_at=at(2))
    JobFactory(office=sliding, first_name="All", last_name="Fine", contractor=mike, starts_at=at(1))
    html = page(signed_in)
    assert "Needs Attention (<span data-attention-count>2</span>)" in html
    assert "Old Deposit" not in html  # outside the window…
    flagged = page(signed_in, attention="on")
    assert "Old Deposit" in flagged and "No Contractor" in flagged  # …but flagged anyway
    assert "All Fine" not in flagged
    assert "🔴 UPDATE NEEDED" in flagged
    assert 'data-copy="🔔Update Needed🔔' in flagged  # the pill copies the contractor message
    assert "is-attention-only" in flagged  # every day forced open


@pytest.mark.parametrize(
    "params, shown, hidden",
    [
        ({"status": ["in_progress"]}, "Ivan Progress", "Sam Submitted"),
        ({"q": "JOB-900"}, None, None),
        ({"q": "Progress"}, "Ivan Progress", "Sam Submitted"),
        ({"q": "0199"}, "Ivan Progress", "Sam Submitted"),
        ({"contractor": ["none"]}, "Sam Submitted", "Ivan Progress"),
        ({"rebooked": "on"}, "Ivan Progress", "Sam Submitted"),
    ],
)
def test_filters_and_search(signed_in, sliding, params, shown, hidden):
    mike = ContractorFactory(name="Mike Hernandez")
    JobFactory(
        office=sliding,
        first_name="Ivan",
        last_name="Progress",
        phone="+13055550199",
        phone_last10="3055550199",
        status=Status.IN_PROGRESS,
        contractor=mike,
        rebooked_at=NOON,
        starts_at=at(1),
    )
    # A phone of its own: the factory's sequence reaches …0199 when many jobs came first.
    JobFactory(
        office=sliding,
        first_name="Sam",
        last_name="Submitted",
        phone="+13055550100",
        phone_last10="3055550100",
        starts_at=at(1),
    )
    html = page(signed_in, **params)
    if shown:
        assert shown in html and hidden not in html


def test_search_finds_a_job_by_its_id(signed_in, sliding):
    job = JobFactory(office=sliding, first_name="Wanted", last_name="One", starts_at=at(1))
    JobFactory(office=sliding, first_name="Other", last_name="Two", starts_at=at(1))
    html = page(signed_in, q=job.display_id)
    assert "Wanted One" in html and "Other Two" not in html


def test_sort_within_a_day_by_status_time_or_contractor(signed_in, sliding):
    JobFactory(
        office=sliding,
        first_name="Early",
        last_name="Done",
        status=Status.DONE,
        contractor=ContractorFactory(name="Zed Doors"),
        starts_at=at(0, 9),
    )
    JobFactory(
        office=sliding,
        first_name="Late",
        last_name="Submitted",
        contractor=ContractorFactory(name="Alpha Doors"),
        starts_at=at(0, 15),
    )
    by_status = page(signed_in)
    assert by_status.index("Late Submitted") < by_status.index("Early Done")
    by_time = page(signed_in, sort="time")
    assert by_time.index("Early Done") < by_time.index("Late Submitted")
    by_contractor = page(signed_in, sort="contractor")
    assert by_contractor.index("Late Submitted") < by_contractor.index("Early Done")


def test_scope_other_offices_jobs_off_offices_and_archived_jobs_stay_off(signed_in, sliding):
    JobFactory(office=sliding, first_name="Mine", last_name="Job", starts_at=at(1))
    JobFactory(
        office=OfficeFactory(name="Garage"), first_name="Their", last_name="Job", starts_at=at(1)
    )
    off = OfficeFactory(name="Joes", is_jobs_enabled=False)
    JobFactory(office=off, first_name="Switched", last_name="Off", starts_at=at(1))
    JobFactory(
        office=sliding, first_name="Put", last_name="Away", is_archived=True, starts_at=at(1)
    )
    html = page(signed_in, date="all")
    assert "Mine Job" in html
    for hidden in ("Their Job", "Switched Off", "Put Away"):
        assert hidden not in html


def test_owner_sees_jobs_of_an_office_again_when_its_jobs_feature_is_back_on(client, sliding):
    office = OfficeFactory(name="Joes", is_jobs_enabled=False)
    JobFactory(office=office, first_name="Back", last_name="Again", starts_at=at(1))
    client.force_login(UserFactory(role=Role.OWNER))
    assert "Back Again" not in page(client)
    office.is_jobs_enabled = True
    office.save()
    client.force_login(UserFactory(role=Role.OWNER))  # a fresh sign-in reads the office list
    assert "Back Again" in page(client)


def test_partners_see_only_their_partners_jobs(client, sliding):
    gdq = JobPartnerFactory(name="GDQ")
    JobFactory(office=sliding, source=gdq, first_name="Gdq", last_name="Job", starts_at=at(1))
    JobFactory(office=sliding, first_name="Other", last_name="Partner", starts_at=at(1))
    client.force_login(UserFactory(role=Role.PARTNER, partner_name="gdq"))
    html = page(client)
    assert "Gdq Job" in html and "Other Partner" not in html
    assert "+ New Job" not in html and "FIND CONTRACTOR</button>" not in html


def test_the_board_is_a_fixed_number_of_queries(signed_in, sliding, django_assert_max_num_queries):
    for day in range(-2, 6):
        JobFactory.create_batch(
            4, office=sliding, contractor=ContractorFactory(), starts_at=at(day)
        )
    signed_in.get(BOARD)
    with django_assert_max_num_queries(15):
        page(signed_in)


def test_the_contractor_filter_has_a_search_box_and_an_unassigned_entry(signed_in):
    html = page(signed_in)
    assert html.count("data-multiselect-search") == 1
    assert 'value="none"> — Unassigned —' in html


def test_every_text_a_person_typed_is_escaped_in_the_rows(signed_in, sliding):
    """The rows are built as strings for speed (jobs/board_html.py): each value is escaped
    by hand there, and this holds every typed field to it."""
    evil = '<img src=x onerror="alert(1)">'
    contractor = ContractorFactory(name=f"Bad {evil}")
    JobFactory(
        office=sliding,
        first_name=evil,
        last_name=f'"{evil}',
        company=evil,
        street=evil,
        city=evil,
        contractor=contractor,
        starts_at=at(0, 14),
        job_type=JobTypeFactory(label=f"Type {evil}"),
    )
    html = page(signed_in)
    assert "<img" not in html and 'onerror="' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
