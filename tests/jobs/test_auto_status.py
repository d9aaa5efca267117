"""🔄 Auto Status Change: Submitted → In Progress at 7 PM local the day before, rolling
across the country with the clock; idempotent when the tick runs twice."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections

from crm.accounts.models import Role
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import Job, JobsSettings, Status
from jobs.services import advance_due_jobs, change_status
from jobs.tasks import advance_submitted_jobs
from tests.factories import JobFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
ZONES = {"EST": "America/New_York", "CST": "America/Chicago", "PST": "America/Los_Angeles"}


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def rule(sliding):
    jobs_settings = JobsSettings.load()
    jobs_settings.auto_advance_enabled = True
    jobs_settings.save()
    jobs_settings.auto_advance_offices.set([sliding])
    return jobs_settings


def saturday_9am(zone: str, **fields) -> Job:
    """A Submitted job on Saturday May 2, 2026, 9–11 AM in `zone`."""
    starts = datetime.datetime(2026, 5, 2, 9, tzinfo=ZoneInfo(zone))
    return JobFactory(
        timezone=zone, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **fields
    )


def statuses(jobs: dict) -> dict:
    return {name: Job.objects.get(pk=job.pk).status for name, job in jobs.items()}


def tick_at(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return advance_due_jobs()


def test_the_rule_rolls_across_the_country_at_7pm_local(rule, sliding):
    jobs = {name: saturday_9am(zone, office=sliding) for name, zone in ZONES.items()}
    submitted, in_progress = Status.SUBMITTED, Status.IN_PROGRESS

    assert tick_at(utc(2026, 5, 1, 22, 59)) == 0  # 6:59 PM EDT
    assert statuses(jobs) == {"EST": submitted, "CST": submitted, "PST": submitted}

    assert tick_at(utc(2026, 5, 1, 23, 0)) == 1  # 7 PM EDT
    assert statuses(jobs) == {"EST": in_progress, "CST": submitted, "PST": submitted}

    assert tick_at(utc(2026, 5, 2, 0, 0)) == 1  # 7 PM CDT
    assert statuses(jobs) == {"EST": in_progress, "CST": in_progress, "PST": submitted}

    assert tick_at(utc(2026, 5, 2, 1, 59)) == 0  # 6:59 PM PDT
    assert tick_at(utc(2026, 5, 2, 2, 0)) == 1  # 7 PM PDT = 10 PM EDT: every job has moved
    assert statuses(jobs) == {"EST": in_progress, "CST": in_progress, "PST": in_progress}


def test_running_twice_never_moves_a_job_twice(rule, sliding):
    job = saturday_9am(ZONES["EST"], office=sliding)
    seven_pm = utc(2026, 5, 1, 23, 15)

    assert tick_at(seven_pm) == 1
    assert tick_at(seven_pm) == 0

    lines = TimelineEntry.objects.for_subject(job).values_list("body", flat=True)
    assert list(lines) == ["⏱ Auto-advanced by the Submitted → In Progress rule"]
    assert DomainEvent.objects.filter(name="job.status_changed").count() == 1
    assert AuditEvent.objects.filter(kind="job.status_changed").count() == 1


def test_it_fires_what_a_manual_change_fires_and_is_audited_as_system(rule, sliding):
    auto = saturday_9am(ZONES["EST"], office=sliding)
    manual = saturday_9am(ZONES["EST"], office=OfficeFactory(name="Garage"))
    tick_at(utc(2026, 5, 1, 23, 0))
    change_status(job=manual, actor=UserFactory(role=Role.OWNER), status=Status.IN_PROGRESS)

    auto_event, manual_event = DomainEvent.objects.filter(name="job.status_changed").order_by("id")
    auto_payload, manual_payload = auto_event.payload, manual_event.payload
    assert auto_payload == {
        **manual_payload,
        "job": auto.pk,
        "snapshot": auto_payload["snapshot"],
        "rule": "Submitted → In Progress",
    }
    # The same snapshot a manual change sends, of its own job, in its new status.
    assert auto_payload["snapshot"].keys() == manual_payload["snapshot"].keys()
    assert auto_payload["snapshot"]["SerialId"] == auto.number
    assert auto_payload["snapshot"]["Status"] == manual_payload["snapshot"]["Status"]
    assert manual_payload["snapshot"]["Status"] == "In Progress"
    assert auto_event.actor is None and auto_event.partner_name == auto.source.name
    audit = AuditEvent.objects.filter(kind="job.status_changed").earliest("id")
    assert audit.actor_label == "System"
    # One audit row per tick, naming every job it moved.
    assert audit.text == f"Submitted → In Progress rule moved 1 job: {auto.display_id}"
    assert audit.metadata["job_ids"] == [auto.pk]


def test_today_s_jobs_still_submitted_catch_up_and_past_ones_never_move(rule, sliding):
    new_york = ZoneInfo(ZONES["EST"])
    today = JobFactory(office=sliding, starts_at=datetime.datetime(2026, 5, 1, 15, tzinfo=new_york))
    yesterday = JobFactory(
        office=sliding, starts_at=datetime.datetime(2026, 4, 30, 9, tzinfo=new_york)
    )
    day_after_tomorrow = JobFactory(
        office=sliding, starts_at=datetime.datetime(2026, 5, 3, 9, tzinfo=new_york)
    )

    assert tick_at(utc(2026, 5, 1, 14, 0)) == 1  # 10 AM EDT
    assert Job.objects.get(pk=today.pk).status == Status.IN_PROGRESS
    assert Job.objects.get(pk=yesterday.pk).status == Status.SUBMITTED
    assert tick_at(utc(2026, 5, 1, 23, 30)) == 0
    assert Job.objects.get(pk=day_after_tomorrow.pk).status == Status.SUBMITTED


def test_only_ticked_jobs_on_offices_and_live_submitted_jobs_move(rule, sliding):
    garage = OfficeFactory(name="Garage")
    florida = OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    rule.auto_advance_offices.add(florida)
    moved = saturday_9am(ZONES["EST"], office=sliding)
    others = [
        saturday_9am(ZONES["EST"], office=garage),  # not ticked
        saturday_9am(ZONES["EST"], office=florida),  # Jobs feature off
        saturday_9am(ZONES["EST"], office=sliding, is_archived=True),
        saturday_9am(ZONES["EST"], office=sliding, status=Status.PENDING),
    ]
    assert tick_at(utc(2026, 5, 1, 23, 0)) == 1
    assert Job.objects.get(pk=moved.pk).status == Status.IN_PROGRESS
    assert [Job.objects.get(pk=job.pk).status for job in others] == [
        Status.SUBMITTED,
        Status.SUBMITTED,
        Status.SUBMITTED,
        Status.PENDING,
    ]


def test_a_disabled_rule_moves_nothing(rule, sliding):
    saturday_9am(ZONES["EST"], office=sliding)
    rule.auto_advance_enabled = False
    rule.save()
    assert tick_at(utc(2026, 5, 1, 23, 0)) == 0


def test_the_beat_task_runs_the_rule(rule, sliding):
    saturday_9am(ZONES["EST"], office=sliding)
    with time_machine.travel(utc(2026, 5, 1, 23, 0), tick=False):
        assert advance_submitted_jobs.delay().result == 1


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_move_each_job_once(sliding):
    jobs_settings = JobsSettings.load()
    jobs_settings.auto_advance_enabled = True
    jobs_settings.save()
    jobs_settings.auto_advance_offices.set([sliding])
    jobs = [saturday_9am(ZONES["EST"], office=sliding) for _ in range(20)]
    moved, start = [], threading.Barrier(2)

    def tick() -> None:
        try:
            start.wait()
            moved.append(advance_due_jobs(now=utc(2026, 5, 1, 23, 0)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(moved) == 20
    assert set(Job.objects.values_list("status", flat=True)) == {Status.IN_PROGRESS}
    for job in jobs:
        assert TimelineEntry.objects.for_subject(job).count() == 1
    assert DomainEvent.objects.filter(name="job.status_changed").count() == 20


def test_a_job_in_a_zone_no_job_had_before_moves_on_its_own_clock(rule, sliding):
    """The tick branches on the zones jobs use (cached); a job in a new zone joins them."""
    saturday_9am(ZONES["EST"], office=sliding)
    assert tick_at(utc(2026, 5, 1, 23, 0)) == 1  # 7 PM EDT: lists the zones in use (EST)
    pacific = saturday_9am(ZONES["PST"], office=sliding)
    assert tick_at(utc(2026, 5, 1, 23, 30)) == 0  # 4:30 PM in Los Angeles: not yet
    assert tick_at(utc(2026, 5, 2, 2, 0)) == 1  # 7 PM PDT
    assert Job.objects.get(pk=pacific.pk).status == Status.IN_PROGRESS


def test_switching_an_office_s_jobs_off_or_unticking_it_stops_the_rule_there(rule, sliding):
    job = saturday_9am(ZONES["EST"], office=sliding)
    assert tick_at(utc(2026, 5, 1, 18, 0)) == 0  # 2 PM: reads (and caches) the settings
    sliding.is_jobs_enabled = False
    sliding.save()
    assert tick_at(utc(2026, 5, 1, 23, 30)) == 0
    sliding.is_jobs_enabled = True
    sliding.save()
    rule.auto_advance_offices.clear()
    assert tick_at(utc(2026, 5, 1, 23, 30)) == 0
    rule.auto_advance_offices.add(sliding)
    assert tick_at(utc(2026, 5, 1, 23, 30)) == 1
    assert Job.objects.get(pk=job.pk).status == Status.IN_PROGRESS
