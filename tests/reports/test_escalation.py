"""Escalated: Fresh leads left unclaimed longer than the App Settings Escalation Timer."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

from crm.accounts.models import Role
from crm.controlpanel.models import AppSettings
from crm.reports.periods import period_for
from crm.reports.queries import report_for
from crm.timeline.models import TimelineEntry
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 7, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def owner():
    settings = AppSettings.load()
    settings.escalation_timer_minutes = 20
    settings.save()
    return UserFactory(role=Role.OWNER)


def escalated(owner) -> int:
    cache.clear()  # the report is cached for a minute; each call here reads afresh
    with time_machine.travel(NOW, tick=False):
        return report_for(owner, period_for("today")).leads.escalated


def test_an_unclaimed_fresh_lead_escalates_only_past_the_timer(owner):
    office = OfficeFactory(name="Sliding")
    LeadFactory(office=office, received_at=NOW - datetime.timedelta(minutes=20))
    assert escalated(owner) == 0
    LeadFactory(office=office, received_at=NOW - datetime.timedelta(minutes=20, seconds=1))
    assert escalated(owner) == 1


def test_a_claim_later_than_the_timer_counts_and_one_on_time_does_not(owner):
    office = OfficeFactory(name="Sliding")
    received = NOW - datetime.timedelta(hours=2)
    for name, wait in (("late", 21), ("on time", 20)):
        lead = LeadFactory(office=office, first_name=name, received_at=received)
        TimelineEntry.objects.create(
            subject_type="lead",
            subject_id=lead.pk,
            subject_label=name,
            kind="claim",
            actor=owner,
            body="Lead claimed",
            created_at=received + datetime.timedelta(minutes=wait),
        )
    assert escalated(owner) == 1


def test_the_count_follows_the_timer_setting(owner):
    LeadFactory(
        office=OfficeFactory(name="Sliding"), received_at=NOW - datetime.timedelta(minutes=30)
    )
    assert escalated(owner) == 1
    settings = AppSettings.load()
    settings.escalation_timer_minutes = 45
    settings.save()
    assert escalated(owner) == 0
