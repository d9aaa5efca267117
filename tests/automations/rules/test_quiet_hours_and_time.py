"""Quiet hours at their boundaries in the recipient's zone (EST, CST, PST, and New York for
a lead without one), and the time rules' tick: offset boundaries, the retry once quiet
hours end, no backfill before the rule was enabled, the 24-hour limit, no reminder after
the appointment began, Pause All."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from automations.rules import firing, services
from automations.rules.models import LogStatus, Rule, RuleLog, RuleStamp
from crm.models import DomainEvent
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
DAY = datetime.date(2027, 1, 15)


def at(hour: int, minute: int = 0, zone=NEW_YORK, day=DAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def rule(**fields) -> Rule:
    values = {
        "name": "R",
        "trigger": "job_created",
        "recipient": "static",
        "static_to": "+13055550111",
        "channel": "sms",
        "body": "Hi",
        "respect_quiet_hours": True,
        "enabled_at": at(0, day=datetime.date(2027, 1, 1)),
    }
    return Rule.objects.create(**{**values, **fields})


def statuses(made: Rule) -> list[tuple[str, str]]:
    return list(RuleLog.objects.filter(rule=made).order_by("id").values_list("status", "error"))


@pytest.mark.parametrize(
    ("zone", "job_zone", "lead_zone"),
    [
        ("America/New_York", "America/New_York", "America/New_York"),
        ("America/Chicago", "America/Chicago", "America/Chicago"),
        ("America/Los_Angeles", "America/Los_Angeles", "America/Los_Angeles"),
        ("America/New_York", None, ""),  # a lead with no zone: New York
    ],
)
@pytest.mark.parametrize(
    ("hour", "minute", "fires"), [(8, 59, False), (9, 0, True), (20, 59, True), (21, 0, False)]
)
def test_event_rules_fire_only_from_9am_to_9pm_in_the_recipients_zone(
    sms, garage, garage_job, time_machine, django_capture_on_commit_callbacks,
    zone, job_zone, lead_zone, hour, minute, fires,
):  # fmt: skip
    time_machine.move_to(at(hour, minute, ZoneInfo(zone)), tick=False)
    if job_zone is not None:
        made = rule()
        record = garage_job(timezone=job_zone)
        payload = {"job": record.pk, "snapshot": {}}
        name = "job.created"
    else:
        made = rule(trigger="lead_created")
        record = LeadFactory(office=garage, timezone=lead_zone)
        payload = {"lead": record.pk, "source": record.source_id, "snapshot": {}, "via": "manual"}
        name = "lead.created"
    event = DomainEvent.objects.create(name=name, office=garage, payload=payload)
    with django_capture_on_commit_callbacks(execute=True):
        firing.on_event(event)
    expected = ("sent", "") if fires else ("skipped", "outside quiet hours")
    assert statuses(made) == [expected]


def test_a_rule_without_quiet_hours_fires_at_night(
    sms, garage_job, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(3), tick=False)
    made = rule(respect_quiet_hours=False)
    job = garage_job()
    event = DomainEvent.objects.create(
        name="job.created", office=job.office, payload={"job": job.pk, "snapshot": {}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        firing.on_event(event)
    assert statuses(made) == [("sent", "")]


def tick(when, capture) -> int:
    with capture(execute=True):
        return firing.tick(when)


def reminder(**fields) -> Rule:
    values = {"trigger": "before_job_start", "offset_amount": 24, "offset_unit": "hours"}
    return rule(**{**values, **fields})


def test_a_reminder_goes_at_its_offset_and_once(
    sms, garage_job, django_capture_on_commit_callbacks
):
    made = reminder()
    job = garage_job(starts_at=at(14, day=DAY + datetime.timedelta(days=1)))
    assert tick(at(13, 59), django_capture_on_commit_callbacks) == 0
    assert tick(at(14), django_capture_on_commit_callbacks) == 1
    assert tick(at(14, 5), django_capture_on_commit_callbacks) == 0
    assert statuses(made) == [("sent", "")]
    assert RuleStamp.objects.get().key == f"job:{job.pk}"


@pytest.mark.parametrize(("unit", "amount"), [("minutes", 90), ("hours", 3), ("days", 2)])
def test_each_offset_unit(sms, garage_job, django_capture_on_commit_callbacks, unit, amount):
    made = reminder(offset_amount=amount, offset_unit=unit, respect_quiet_hours=False)
    offset = datetime.timedelta(**{unit: amount})
    starts = at(15) + offset
    garage_job(starts_at=starts)
    assert (
        tick(starts - offset - datetime.timedelta(minutes=1), django_capture_on_commit_callbacks)
        == 0
    )
    assert tick(starts - offset, django_capture_on_commit_callbacks) == 1
    assert statuses(made) == [("sent", "")]


def test_a_reminder_due_at_night_waits_unstamped_for_9am(
    sms, garage_job, django_capture_on_commit_callbacks
):
    made = reminder()
    tomorrow = DAY + datetime.timedelta(days=1)
    early = garage_job(starts_at=at(6, day=tomorrow))  # due at 6 AM: quiet
    noon = garage_job(starts_at=at(12, day=tomorrow))
    assert tick(at(6), django_capture_on_commit_callbacks) == 0
    assert not RuleStamp.objects.exists()
    assert tick(at(8, 55), django_capture_on_commit_callbacks) == 0
    assert tick(at(9), django_capture_on_commit_callbacks) == 1
    assert tick(at(12), django_capture_on_commit_callbacks) == 1
    logged = RuleLog.objects.filter(rule=made).order_by("id").values_list("job_id", "status")
    assert list(logged) == [(early.pk, "sent"), (noon.pk, "sent")]


def test_no_backfill_before_the_rule_was_enabled(
    sms, garage_job, django_capture_on_commit_callbacks
):
    made = reminder(enabled_at=at(14, 1))
    garage_job(starts_at=at(14, day=DAY + datetime.timedelta(days=1)))  # due at 14:00
    assert tick(at(14, 5), django_capture_on_commit_callbacks) == 0
    assert statuses(made) == []


def test_never_more_than_24_hours_late(sms, garage_job, django_capture_on_commit_callbacks):
    made = rule(
        trigger="after_job_end", offset_amount=1, offset_unit="hours", respect_quiet_hours=False
    )
    ends = at(10)
    garage_job(starts_at=ends - datetime.timedelta(hours=2), ends_at=ends)  # due at 11:00
    day_later = at(11) + datetime.timedelta(hours=24)
    assert tick(day_later + datetime.timedelta(minutes=1), django_capture_on_commit_callbacks) == 0
    assert tick(day_later, django_capture_on_commit_callbacks) == 1
    assert statuses(made) == [("sent", "")]


def test_a_reminder_never_goes_after_the_appointment_began(
    sms, garage_job, django_capture_on_commit_callbacks
):
    made = reminder(offset_amount=30, offset_unit="minutes")
    garage_job(starts_at=at(8, 30))  # due at 8:00, inside quiet hours; starts before 9
    assert tick(at(8), django_capture_on_commit_callbacks) == 0
    assert tick(at(9), django_capture_on_commit_callbacks) == 0
    assert statuses(made) == []


def test_after_lead_received_and_its_conditions(
    sms, garage, sliding, django_capture_on_commit_callbacks
):
    made = rule(
        trigger="after_lead_received",
        offset_amount=1,
        offset_unit="hours",
        recipient="client",
        static_to="",
        statuses=["fresh"],
    )
    made.offices.set([garage])
    LeadFactory(office=garage, received_at=at(10))
    LeadFactory(office=sliding, received_at=at(10))
    LeadFactory(office=garage, received_at=at(10), status="irrelevant")
    assert tick(at(11), django_capture_on_commit_callbacks) == 1
    assert statuses(made) == [("sent", "")]


def test_a_paused_tick_logs_skipped_and_sends_nothing_after_resume(
    sms, owner, garage_job, django_capture_on_commit_callbacks
):
    made = reminder()
    garage_job(starts_at=at(14, day=DAY + datetime.timedelta(days=1)))
    services.pause_all(actor=owner)
    assert tick(at(14), django_capture_on_commit_callbacks) == 1
    services.resume_all(actor=owner)
    assert tick(at(14, 5), django_capture_on_commit_callbacks) == 0
    assert statuses(made) == [(LogStatus.SKIPPED, "paused")]
