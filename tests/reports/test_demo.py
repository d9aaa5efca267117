"""The demo (make run) spreads leads and jobs over ~60 days with claims, calls and
conversions, so every chart of 📊 Reports draws."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.accounts.models import User
from crm.reports.periods import business_zone, period_for
from crm.reports.queries import report_for

pytestmark = pytest.mark.django_db


def busy_days(points, key: str | None = None) -> int:
    return sum(1 for point in points if (point.values[key] if key else any(point.values.values())))


def test_every_chart_of_the_last_60_days_has_something_to_draw():
    call_command("seed_demo")
    today = timezone.now().astimezone(business_zone()).date()
    start = today - datetime.timedelta(days=59)
    period = period_for("custom", start=start.isoformat(), end=today.isoformat())
    report = report_for(User.objects.get(email="owner@example.com"), period)
    leads, jobs = report.leads, report.jobs

    assert leads.total == 62 and leads.converted and leads.irrelevant and leads.fresh
    assert leads.avg_response_minutes and leads.median_response_minutes
    assert len(leads.by_status) >= 5 and len(leads.by_source) >= 5 and len(leads.by_office) == 4
    assert busy_days(leads.status_by_day) >= 20  # spread, not all today
    assert busy_days(leads.status_by_day, "converted") and busy_days(
        leads.status_by_day, "irrelevant"
    )
    assert busy_days(leads.bookback_by_day, "detected")
    assert busy_days(leads.bookback_by_day, "reactivated")
    assert busy_days(leads.followup_by_day, "attempts")
    assert busy_days(leads.followup_by_day, "conversions")
    assert {row.attempt for row in leads.by_attempt} >= {0, 1, 2, 3}
    assert any(row.converted for row in leads.by_attempt if row.attempt)
    assert len(leads.agents) >= 2 and all(agent.calls + agent.claims for agent in leads.agents)
    assert any(row.median_minutes for row in leads.speed_by_source)
    assert any(row.p90_minutes for row in leads.speed_by_agent)

    assert jobs.total == 22 and jobs.done and jobs.cancelled and jobs.revenue
    assert jobs.deposits_count and jobs.k_accepted and jobs.rebooked and jobs.parts_cost
    assert jobs.finance_cancelled_count == 1
    assert busy_days(jobs.daily) >= 10
    assert len(jobs.by_office) == 3 and jobs.contractors
