"""The report's numbers against the hand-built week (tests/reports/week_fixture.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role
from crm.reports.data import AgentRow, AttemptRow, Bar, ContractorRow, SpeedRow
from crm.reports.periods import Period
from crm.reports.queries import jobs_tab_allowed, report_for, report_for_everyone
from tests.factories import UserFactory
from tests.reports.week_fixture import FIRST_DAY, LAST_DAY

D2, D3, D4 = (datetime.date(2026, 11, day) for day in (2, 3, 4))


@pytest.fixture
def period():
    return Period.of_days("custom", FIRST_DAY, LAST_DAY)


def values(points):
    return {point.day: point.values for point in points}


def test_the_owner_sees_every_lead_kpi_of_the_week(week, period):
    leads = report_for(week.people["olivia"], period).leads
    assert (leads.total, leads.converted, leads.irrelevant, leads.fresh) == (10, 3, 1, 3)
    assert (leads.not_yet_scheduled, leads.needs_follow_up) == (1, 1)
    assert leads.conversion_rate == 30.0
    # First claim or call: 10, 5, 30, 61, 15, 2, 16, 40 minutes (two leads untouched).
    assert leads.avg_response_minutes == 22.4
    assert leads.median_response_minutes == 15.5
    # L3 and L10 still Fresh and unclaimed, L4 claimed after 30 and L8 after 16 minutes;
    # L6 claimed after exactly 15 is not "longer than" the timer.
    assert (leads.escalated, leads.escalation_minutes) == (4, 15)


def test_lead_bars_add_up_by_status_source_and_office(week, period):
    leads = report_for(week.people["olivia"], period).leads
    assert [(bar.label, bar.value) for bar in leads.by_status] == [
        ("Fresh", 3),
        ("Not Yet Scheduled", 1),
        ("Needs a Follow Up", 1),
        ("Consultation Call", 1),
        ("Converted", 3),
        ("Irrelevant", 1),
    ]
    assert [(bar.label, bar.value) for bar in leads.by_source] == [
        ("Facebook Ads", 5),
        ("Google Ads", 3),
        ("BookBack AI", 2),
    ]
    assert [(bar.label, bar.value) for bar in leads.by_office] == [
        ("Sliding", 6),
        ("Garage", 3),
        ("Joes Doors FL", 1),
    ]
    assert all(isinstance(bar, Bar) and bar.key for bar in leads.by_office)


def test_daily_series_cover_every_day_including_the_late_evening_lead(week, period):
    leads = report_for(week.people["olivia"], period).leads
    assert values(leads.status_by_day) == {
        D2: {"converted": 2, "open": 2, "irrelevant": 1},
        D3: {"converted": 1, "open": 2, "irrelevant": 0},
        D4: {"converted": 0, "open": 2, "irrelevant": 0},  # L10 arrived 11:30 PM ET
    }
    assert values(leads.bookback_by_day) == {
        D2: {"detected": 1, "reactivated": 1, "converted": 1},
        D3: {"detected": 1, "reactivated": 0, "converted": 0},
        D4: {"detected": 1, "reactivated": 0, "converted": 0},
    }
    # Only work on leads received before that day: L11 on the 3rd, L4's call on the 4th.
    assert values(leads.followup_by_day) == {
        D2: {"attempts": 0, "conversions": 0},
        D3: {"attempts": 1, "conversions": 1},
        D4: {"attempts": 1, "conversions": 0},
    }


def test_conversion_efficiency_by_attempt_number(week, period):
    leads = report_for(week.people["olivia"], period).leads
    assert leads.by_attempt == [
        AttemptRow(attempt=0, total=3, converted=0),
        AttemptRow(attempt=1, total=5, converted=3),
        AttemptRow(attempt=3, total=2, converted=0),
    ]


def test_agent_table_counts_calls_claims_conversions_and_response_times(week, period):
    agents = report_for(week.people["olivia"], period).leads.agents
    assert agents == [
        AgentRow("Dana Reyes", calls=7, claims=2, conversions=2,
                 avg_response_minutes=14.4, median_response_minutes=10.0),
        AgentRow("Omri Levi", calls=4, claims=2, conversions=1,
                 avg_response_minutes=23.0, median_response_minutes=23.0),
        AgentRow("Olivia Stone", calls=1, claims=0, conversions=1,
                 avg_response_minutes=61.0, median_response_minutes=61.0),
    ]  # fmt: skip


def test_speed_to_lead_per_source_and_per_agent(week, period):
    leads = report_for(week.people["olivia"], period).leads
    assert leads.speed_by_source == [
        SpeedRow("Facebook Ads", leads=5, median_minutes=20.0, p90_minutes=44.6, never_called=0),
        SpeedRow("Google Ads", leads=3, median_minutes=37.5, p90_minutes=39.5, never_called=1),
        SpeedRow("BookBack AI", leads=2, median_minutes=None, p90_minutes=None, never_called=2),
    ]
    assert leads.speed_by_agent == [
        SpeedRow("Dana Reyes", leads=5, median_minutes=15.0, p90_minutes=34.0, never_called=1),
        SpeedRow("Omri Levi", leads=2, median_minutes=27.5, p90_minutes=33.5, never_called=0),
        SpeedRow("Olivia Stone", leads=1, median_minutes=61.0, p90_minutes=61.0, never_called=0),
    ]


def test_jobs_tab_counts_jobs_created_in_jobs_offices_only(week, period):
    jobs = report_for(week.people["olivia"], period).jobs
    assert (jobs.total, jobs.done, jobs.cancelled) == (18, 5, 3)
    assert (jobs.done_pct, jobs.cancel_pct) == (27.8, 16.7)
    assert jobs.revenue == Decimal("4000.00")
    assert (jobs.finance_cancelled_total, jobs.finance_cancelled_count) == (Decimal("600.00"), 1)
    assert (jobs.deposits_total, jobs.deposits_count) == (Decimal("450.00"), 3)
    assert (jobs.rebooked, jobs.k_accepted, jobs.parts_cost) == (2, 4, Decimal("390.00"))
    assert [(bar.label, bar.value) for bar in jobs.by_status] == [
        ("Submitted", 5),
        ("In Progress", 2),
        ("Deposit", 1),
        ("Pending", 2),
        ("Done", 5),
        ("Cancelled", 3),
    ]
    assert [(bar.label, bar.value) for bar in jobs.by_office] == [("Sliding", 11), ("Garage", 7)]
    assert [(bar.label, bar.value) for bar in jobs.by_type] == [("Door", 11), ("Window", 7)]
    assert [(bar.label, bar.value) for bar in jobs.by_source] == [("GDQ", 10), ("Raful", 8)]
    assert values(jobs.daily) == {
        D2: {"done": 3, "open": 2, "cancelled": 1},
        D3: {"done": 1, "open": 4, "cancelled": 1},
        D4: {"done": 1, "open": 4, "cancelled": 1},
    }
    assert jobs.contractors == [
        ContractorRow("K1 Doors", jobs=9, done=3, cancelled=2, revenue=Decimal("2200.00")),
        ContractorRow("K2 Glass", jobs=7, done=2, cancelled=1, revenue=Decimal("1800.00")),
    ]


def test_an_agent_counts_only_their_offices(week, period):
    report = report_for(week.people["dana"], period)
    assert [office.name for office in report.offices] == ["Sliding"]
    assert report.leads.total == 6
    assert [(bar.label, bar.value) for bar in report.leads.by_office] == [("Sliding", 6)]
    assert report.jobs.total == 11


def test_office_choice_narrows_the_report_and_ignores_offices_out_of_reach(week, period):
    garage = week.offices["garage"].pk
    owner_view = report_for(week.people["olivia"], period, [garage])
    assert (owner_view.leads.total, owner_view.jobs.total) == (3, 7)
    dana_view = report_for(week.people["dana"], period, [garage])
    assert (dana_view.offices, dana_view.leads.total, dana_view.jobs) == ([], 0, None)


def test_jobs_off_offices_never_count_and_a_jobs_off_only_user_gets_no_jobs(week, period):
    joes = UserFactory(role=Role.ADMIN, offices=[week.offices["joes"]])
    report = report_for(joes, period)
    assert report.leads.total == 1
    assert report.jobs is None
    assert not jobs_tab_allowed(joes) and jobs_tab_allowed(week.people["dana"])
    only_joes = report_for(week.people["olivia"], period, [week.offices["joes"].pk])
    assert only_joes.jobs is None


def test_the_system_report_counts_every_office(week, period):
    report = report_for_everyone(period)
    assert (report.leads.total, report.jobs.total) == (10, 18)
    assert report.leads == report_for(week.people["olivia"], period).leads


def test_partners_may_not_read_reports(week, period):
    partner = UserFactory(role=Role.PARTNER, partner_name="GDQ")
    with pytest.raises(PermissionDenied):
        report_for(partner, period)


def test_both_tabs_read_in_a_fixed_number_of_queries(week, period, django_assert_max_num_queries):
    owner = week.people["olivia"]
    owner.visible_offices  # read with the user at sign-in  # noqa: B018
    with django_assert_max_num_queries(14):
        report_for(owner, period)
    with django_assert_max_num_queries(0):
        report_for(owner, period)  # cached for a minute
