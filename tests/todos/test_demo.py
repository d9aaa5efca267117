"""`make run`'s demo tasks: a dozen across people and offices, and the two templates."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.accounts.models import User
from crm.timeline.models import TimelineEntry
from crm.todos.models import Task, TaskTemplate

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_dozen_tasks_of_every_kind_and_the_two_templates():
    call_command("seed_demo")
    tasks = Task.objects.all()
    assert tasks.count() == 12
    now = timezone.now()
    assert tasks.open().filter(due_at__lt=now).exists()  # overdue
    assert tasks.done().count() == 3
    assert tasks.filter(assignee_office__isnull=False).count() >= 4
    assert tasks.values("assignee_user").distinct().count() >= 4
    assert tasks.filter(lead__isnull=False).count() >= 3
    assert tasks.filter(job__isnull=False).count() >= 3
    assert TimelineEntry.objects.filter(body__startswith="📋 Task created:").count() >= 6

    daily, weekly = TaskTemplate.objects.order_by("title")
    assert (daily.title, daily.schedule_label) == ("Check overnight leads", "Daily at 8:00 AM ET")
    assert daily.assignee_office.name == "General"
    assert (weekly.title, weekly.cadence, weekly.weekday) == (
        "Review unpaid contractors",
        "weekly",
        0,
    )
    assert weekly.assignee_user == User.objects.get(email="finance@example.com")
    assert weekly.time_of_day == datetime.time(9)

    call_command("seed_demo")  # a second run changes nothing
    assert Task.objects.count() == 12
