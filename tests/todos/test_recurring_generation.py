"""The 15-minute tick (spec: Recurring tasks → How generation works), on the New York clock."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from crm.accounts.models import Role
from crm.todos import services
from crm.todos.models import Task, TaskTemplate
from crm.todos.recurring import generate_recurring, occurrence_key
from crm.todos.tasks import generate_recurring_tasks
from tests.factories import UserFactory

NEW_YORK = ZoneInfo("America/New_York")
pytestmark = pytest.mark.django_db


def ny(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=NEW_YORK)


def template(office, **fields) -> TaskTemplate:
    values = {
        "title": "Check overnight leads",
        "cadence": TaskTemplate.Cadence.DAILY,
        "time_of_day": datetime.time(8),
        "assignee_office": office,
    }
    return TaskTemplate.objects.create(**values | fields)


def tick(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return generate_recurring()


def test_a_daily_template_waits_for_its_time_then_makes_one_task_due_then(garage):
    daily = template(garage)
    assert tick(ny(2026, 5, 1, 7, 45)) == 0
    assert tick(ny(2026, 5, 1, 8, 0)) == 1
    task = Task.objects.get()
    assert task.title == "Check overnight leads"
    assert task.due_at == ny(2026, 5, 1, 8, 0)
    assert (task.template, task.occurrence_key) == (daily, "2026-05-01")
    assert (task.assignee_office, task.office, task.created_by) == (garage, garage, None)
    assert task.done_at is None


def test_later_ticks_the_same_day_are_no_ops_and_the_next_day_makes_the_next(garage):
    template(garage)
    assert tick(ny(2026, 5, 1, 8, 15)) == 1
    assert tick(ny(2026, 5, 1, 8, 30)) == 0
    assert tick(ny(2026, 5, 1, 23, 45)) == 0
    assert tick(ny(2026, 5, 2, 8, 0)) == 1
    assert list(Task.objects.order_by("due_at").values_list("occurrence_key", flat=True)) == [
        "2026-05-01",
        "2026-05-02",
    ]


def test_missed_days_are_not_backfilled(garage):
    template(garage)
    assert tick(ny(2026, 5, 5, 9, 0)) == 1
    assert Task.objects.get().occurrence_key == "2026-05-05"


def test_a_weekly_template_fires_on_its_weekday_only_keyed_by_iso_week(garage):
    template(garage, cadence=TaskTemplate.Cadence.WEEKLY, weekday=0)  # Monday
    assert tick(ny(2026, 5, 3, 9, 0)) == 0  # Sunday
    assert tick(ny(2026, 5, 4, 9, 0)) == 1  # Monday
    assert tick(ny(2026, 5, 5, 9, 0)) == 0
    assert Task.objects.get().occurrence_key == "2026-W19"


def test_the_iso_week_key_crosses_the_year_end_as_week_53():
    assert occurrence_key(TaskTemplate.Cadence.WEEKLY, datetime.date(2026, 12, 28)) == "2026-W53"
    assert occurrence_key(TaskTemplate.Cadence.WEEKLY, datetime.date(2027, 1, 1)) == "2026-W53"
    assert occurrence_key(TaskTemplate.Cadence.WEEKLY, datetime.date(2027, 1, 4)) == "2027-W01"


def test_a_friday_template_on_new_years_day_2027_is_week_53_of_2026(garage):
    template(garage, cadence=TaskTemplate.Cadence.WEEKLY, weekday=4)
    assert tick(ny(2027, 1, 1, 8, 0)) == 1
    assert Task.objects.get().occurrence_key == "2026-W53"


def test_a_monthly_template_fires_on_its_day_keyed_by_month(garage):
    template(garage, cadence=TaskTemplate.Cadence.MONTHLY, day_of_month=15)
    assert tick(ny(2026, 5, 14, 9, 0)) == 0
    assert tick(ny(2026, 5, 15, 9, 0)) == 1
    assert Task.objects.get().occurrence_key == "2026-05"


@pytest.mark.parametrize(
    ("last_day", "day_before"),
    [(ny(2026, 2, 28, 9, 0), ny(2026, 2, 27, 9, 0)), (ny(2026, 4, 30, 9, 0), ny(2026, 4, 29, 9))],
)
def test_day_31_fires_on_the_last_day_of_february_and_april(garage, last_day, day_before):
    template(garage, cadence=TaskTemplate.Cadence.MONTHLY, day_of_month=31)
    assert tick(day_before) == 0
    assert tick(last_day) == 1
    task = Task.objects.get()
    assert task.due_at == last_day.replace(hour=8)
    assert task.occurrence_key == f"{last_day:%Y-%m}"


def test_day_29_fires_on_february_28_in_a_common_year_and_on_the_29th_in_a_leap_year(garage):
    template(garage, cadence=TaskTemplate.Cadence.MONTHLY, day_of_month=29)
    assert tick(ny(2026, 2, 28, 9, 0)) == 1
    assert tick(ny(2028, 2, 28, 9, 0)) == 0
    assert tick(ny(2028, 2, 29, 9, 0)) == 1


def test_new_york_decides_the_day_not_utc(garage):
    """11:30 PM on Friday in New York is already Saturday in UTC."""
    template(garage, cadence=TaskTemplate.Cadence.WEEKLY, weekday=4, time_of_day=datetime.time(23))
    assert tick(ny(2026, 5, 8, 23, 30)) == 1
    assert Task.objects.get().due_at == ny(2026, 5, 8, 23, 0)


def test_on_the_spring_forward_day_8_am_is_edt(garage):
    template(garage)
    assert tick(ny(2026, 3, 8, 7, 59)) == 0
    assert tick(ny(2026, 3, 8, 8, 0)) == 1
    due = Task.objects.get().due_at
    assert due == datetime.datetime(2026, 3, 8, 12, 0, tzinfo=datetime.UTC)  # 8 AM EDT


def test_a_time_skipped_by_spring_forward_fires_an_hour_later_by_the_clock(garage):
    template(garage, time_of_day=datetime.time(2, 30))
    assert tick(ny(2026, 3, 8, 3, 15)) == 0  # 2:30 EST is 3:30 EDT
    assert tick(ny(2026, 3, 8, 3, 30)) == 1
    assert Task.objects.get().due_at == datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.UTC)


def test_on_the_fall_back_day_the_repeated_hour_fires_once(garage):
    template(garage, time_of_day=datetime.time(1, 30))
    first = datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC)  # 1:30 AM EDT
    assert tick(first) == 1
    assert tick(first + datetime.timedelta(hours=1)) == 0  # 1:30 AM EST
    assert Task.objects.get().due_at == first


def test_inactive_templates_make_nothing(garage):
    template(garage, active=False)
    assert tick(ny(2026, 5, 1, 9, 0)) == 0
    assert not Task.objects.exists()


def test_a_deleted_template_keeps_its_tasks(garage, owner):
    daily = template(garage)
    tick(ny(2026, 5, 1, 9, 0))
    services.delete_template(owner, daily)
    task = Task.objects.get()
    assert task.template is None
    assert task.occurrence_key == "2026-05-01"


def test_a_template_for_a_person_makes_her_task_without_an_office(garage):
    finance = UserFactory(role=Role.FINANCE_ADMIN, first_name="Fiona", offices=[garage])
    template(garage, assignee_office=None, assignee_user=finance)
    tick(ny(2026, 5, 1, 9, 0))
    task = Task.objects.get()
    assert (task.assignee_user, task.assignee_office, task.office) == (finance, None, None)
    assert list(Task.objects.my_tasks(finance)) == [task]


def test_the_celery_task_runs_the_tick(garage, settings):
    template(garage)
    with time_machine.travel(ny(2026, 5, 1, 9, 0), tick=False):
        assert generate_recurring_tasks.delay().get() == 1
    assert settings.CELERY_BEAT_SCHEDULE["generate-recurring-tasks"] == {
        "task": "crm.todos.tasks.generate_recurring_tasks",
        "schedule": 900.0,
    }


def test_a_generated_task_lights_the_badge_and_bumps_live_sync(
    garage, django_capture_on_commit_callbacks
):
    agent = UserFactory(role=Role.AGENT, offices=[garage])
    template(garage)
    with time_machine.travel(ny(2026, 5, 1, 7, 0), tick=False):
        assert services.badge_count(agent) == 0
    with (
        time_machine.travel(ny(2026, 5, 1, 8, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        generate_recurring()
    with time_machine.travel(ny(2026, 5, 1, 8, 1), tick=False):
        assert services.badge_count(agent) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections need Postgres")
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_insert_one_task(garage):
    template(garage)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(generate_recurring(ny(2026, 5, 1, 9, 0)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert Task.objects.count() == 1


def test_now_defaults_to_the_clock(garage):
    template(garage)
    with time_machine.travel(timezone.now().astimezone(NEW_YORK).replace(hour=23), tick=False):
        assert generate_recurring() == 1
