"""A hand-built report fixture: Mon Nov 2 – Wed Nov 4, 2026 (ET, the week after the DST
change), leads and jobs with known timestamps. The expected figures in test_queries.py are
worked out by hand from the tables below; change one and redo them.

Offices: Sliding and Garage (Jobs on), Joes (Jobs off). People: Dana (agent, Sliding),
Omri (agent, Sliding + Garage), Olivia (owner). "Now" is Thu Nov 5, 10:00 AM ET.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.accounts.models import Role
from crm.controlpanel.models import AppSettings
from crm.timeline.models import TimelineEntry
from jobs.models import Job
from leads.models import BookBackCall
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    UserFactory,
    lead_source,
)

ET = ZoneInfo("America/New_York")
NOW = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=ET)
FIRST_DAY, LAST_DAY = datetime.date(2026, 11, 2), datetime.date(2026, 11, 4)


def et(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=ET)


# name: (office, source, received, status, call_count, [(kind, who, minutes after / at, new)])
# An event's time is minutes after the lead arrived, or an absolute datetime.
LEADS = {
    "L1": ("sliding", "facebook", et(2, 9), "converted", 1,
           [("call", "dana", 10, ""), ("status", "dana", 30, "converted")]),
    "L2": ("sliding", "facebook", et(2, 10), "irrelevant", 1,
           [("claim", "dana", 5, ""), ("call", "dana", 20, ""),
            ("status", "dana", 40, "irrelevant")]),
    "L3": ("sliding", "google", et(2, 11), "fresh", 0, []),
    "L4": ("garage", "google", et(2, 12), "not_yet_scheduled", 3,
           [("claim", "omri", 30, ""), ("call", "omri", 35, ""), ("call", "omri", 200, ""),
            ("status", "omri", 201, "not_yet_scheduled"), ("call", "omri", et(4, 9), "")]),
    "L5": ("joes", "facebook", et(2, 13), "converted", 1,
           [("call", "olivia", 61, ""), ("status", "olivia", 62, "converted")]),
    "L6": ("sliding", "bookback", et(3, 8), "fresh", 0, [("claim", "dana", 15, "")]),
    "L7": ("sliding", "facebook", et(3, 9), "needs_follow_up", 3,
           [("call", "dana", 2, ""), ("call", "dana", 100, ""), ("call", "dana", 300, ""),
            ("status", "dana", 301, "needs_follow_up")]),
    "L8": ("garage", "facebook", et(3, 10), "converted", 1,
           [("claim", "omri", 16, ""), ("call", "omri", 20, ""),
            ("status", "omri", 25, "converted")]),
    "L9": ("sliding", "google", et(4, 9), "consultation_call", 1,
           [("call", "dana", 40, ""), ("status", "dana", 41, "consultation_call")]),
    "L10": ("garage", "bookback", et(4, 23, 30), "fresh", 0, []),
    # Outside the period: an older lead worked on Nov 3, and the edges either side.
    "L11": ("sliding", "facebook", et(30, 10, month=10), "converted", 1,
            [("claim", "dana", 5, ""), ("call", "dana", et(3, 10), ""),
             ("status", "dana", et(3, 10, 5), "converted")]),
    "L12": ("sliding", "facebook", et(5, 0, 30), "fresh", 0, []),
    "L13": ("sliding", "facebook", et(1, 23, 59), "fresh", 0, []),
}  # fmt: skip
ARCHIVED_LEAD = ("sliding", "facebook", et(2, 9, 30))
# lead, called at, previous status ("" = a new lead)
BOOKBACK_CALLS = [("L1", et(2, 9), "irrelevant"), ("L6", et(3, 8), ""), ("L10", et(4, 23, 30), "")]

# (office, status, type, source, contractor, created, closing, parts, deposit, rebooked,
#  K-accepted, finance-cancelled)
JOBS = [
    ("sliding", "done", "Door", "GDQ", "K1", et(2, 10), "1000", "100", None, 0, 1, 0),
    ("sliding", "done", "Door", "GDQ", "K1", et(2, 11), "800", "50", "200", 0, 1, 0),
    ("sliding", "done", "Window", "GDQ", "K2", et(3, 9), "600", "0", None, 1, 0, 1),
    ("sliding", "cancelled", "Door", "Raful", "K2", et(3, 12), None, None, None, 0, 0, 0),
    ("sliding", "submitted", "Door", "Raful", None, et(4, 8), None, None, None, 0, 0, 0),
    ("sliding", "in_progress", "Window", "Raful", "K1", et(4, 9), None, None, "100", 0, 0, 0),
    ("sliding", "deposit", "Door", "GDQ", "K1", et(4, 10), None, None, "150", 0, 0, 0),
    ("garage", "done", "Door", "Raful", "K2", et(2, 13), "1200", "200", None, 1, 1, 0),
    ("garage", "cancelled", "Window", "GDQ", "K1", et(2, 14), None, None, None, 0, 0, 0),
    ("garage", "pending", "Door", "GDQ", "K2", et(3, 15), None, None, None, 0, 1, 0),
    ("garage", "submitted", "Window", "Raful", None, et(3, 16), None, None, None, 0, 0, 0),
    ("garage", "done", "Window", "Raful", "K1", et(4, 23, 30), "400", "40", None, 0, 0, 0),
    ("garage", "submitted", "Door", "GDQ", "K2", et(2, 8), None, None, None, 0, 0, 0),
    ("sliding", "submitted", "Door", "GDQ", "K1", et(2, 9, 30), None, None, None, 0, 0, 0),
    ("sliding", "cancelled", "Door", "GDQ", "K1", et(4, 11), None, None, None, 0, 0, 0),
    ("garage", "in_progress", "Door", "Raful", "K2", et(3, 10), None, None, None, 0, 0, 0),
    ("sliding", "pending", "Window", "GDQ", "K2", et(3, 11), None, None, None, 0, 0, 0),
    ("sliding", "submitted", "Window", "Raful", "K1", et(4, 12), None, None, None, 0, 0, 0),
    # Not counted: an office with Jobs off, and a job created after the period.
    ("joes", "done", "Door", "GDQ", "K1", et(2, 10), "999", "0", None, 0, 0, 0),
    ("sliding", "done", "Door", "GDQ", "K1", et(5, 0, 30), "777", "0", None, 0, 0, 0),
]


def _at(received: datetime.datetime, when) -> datetime.datetime:
    if isinstance(when, datetime.datetime):
        return when
    return received + datetime.timedelta(minutes=when)


class Week:
    pass


@pytest.fixture
def week(db):
    """The fixture built, with time frozen at NOW for the test."""
    with time_machine.travel(NOW, tick=False):
        yield build()


def build() -> Week:
    """Build the fixture (run it with time frozen at NOW); returns its records."""
    world = Week()
    offices = {
        "sliding": OfficeFactory(name="Sliding"),
        "garage": OfficeFactory(name="Garage"),
        "joes": OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False),
    }
    people = {
        "dana": UserFactory(
            role=Role.AGENT, first_name="Dana", last_name="Reyes", offices=[offices["sliding"]]
        ),
        "omri": UserFactory(
            role=Role.AGENT,
            first_name="Omri",
            last_name="Levi",
            offices=[offices["sliding"], offices["garage"]],
        ),
        "olivia": UserFactory(role=Role.OWNER, first_name="Olivia", last_name="Stone"),
    }
    settings = AppSettings.load()
    settings.escalation_timer_minutes = 15
    settings.save()
    leads = {}
    entries = []
    for name, (office, source, received, status, calls, events) in LEADS.items():
        lead = LeadFactory(
            office=offices[office],
            source=lead_source(source),
            first_name=name,
            received_at=received,
            status=status,
            call_count=calls,
        )
        leads[name] = lead
        for kind, who, when, new in events:
            at = _at(received, when)
            actor = people[who]
            data = {"actor": actor.pk, "at": at.isoformat()} if kind == "claim" else {}
            if kind == "status":
                data = {"old": "fresh", "new": new}
            entries.append(
                TimelineEntry(
                    subject_type="lead",
                    subject_id=lead.pk,
                    subject_label=name,
                    kind=kind,
                    office=lead.office,
                    actor=actor,
                    body=kind,
                    data=data,
                    created_at=at,
                )
            )
    TimelineEntry.objects.bulk_create(entries)
    office, source, received = ARCHIVED_LEAD
    LeadFactory(
        office=offices[office], source=lead_source(source), received_at=received, is_archived=True
    )
    for name, called_at, previous in BOOKBACK_CALLS:
        BookBackCall.objects.create(lead=leads[name], called_at=called_at, previous_status=previous)

    contractors = {
        "K1": ContractorFactory(name="K1 Doors"),
        "K2": ContractorFactory(name="K2 Glass"),
    }
    for row in JOBS:
        office, status, job_type, source, contractor, created = row[:6]
        closing, parts, deposit, rebooked, k_accepted, finance_cancelled = row[6:]
        job = JobFactory(
            office=offices[office],
            status=status,
            job_type=JobTypeFactory(label=job_type),
            source=JobPartnerFactory(name=source),
            contractor=contractors[contractor] if contractor else None,
            closing_total=Decimal(closing) if closing else None,
            parts_total=Decimal(parts) if parts else None,
            deposit_amount=Decimal(deposit) if deposit else None,
            rebooked_at=created if rebooked else None,
            k_confirmed_at=created if k_accepted else None,
            finance_cancelled_at=created if finance_cancelled else None,
        )
        Job.objects.filter(pk=job.pk).update(created_at=created)
    world.offices, world.people, world.leads = offices, people, leads
    return world
