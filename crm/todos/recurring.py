"""Recurring task generation (spec: Recurring tasks): the 15-minute tick.

"Now" is read on the New York clock (daylight time included): a template fires on its
days (daily always, weekly on its weekday, monthly on its day of month, or the month's last
day when the month is shorter) once its time of day has passed, inserting one ordinary task
due today at that time. The unique (template, occurrence key) makes every tick after the
first a no-op, and two ticks at once insert one task: the loser's row hits the constraint
and `ON CONFLICT DO NOTHING` drops it. Missed earlier days are not backfilled.
"""

import calendar
import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, DateTimeField, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from crm import livesync
from crm.todos import badges
from crm.todos.models import Task, TaskTemplate

COLUMNS = (
    "title",
    "description",
    "due_at",
    "assignee_user_id",
    "assignee_office_id",
    "office_id",
    "created_at",
    "template_id",
    "occurrence_key",
)
# Templates keep 15-minute times: the day's 96 possible times of day.
QUARTER_HOURS = [datetime.time(hour, minute) for hour in range(24) for minute in (0, 15, 30, 45)]


def occurrence_key(cadence: str, day: datetime.date) -> str:
    """The occurrence a firing on `day` stands for: "2026-05-01" daily, "2026-W18" weekly
    (ISO week, so Jan 1, 2027 is "2026-W53"), "2026-05" monthly."""
    if cadence == TaskTemplate.Cadence.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if cadence == TaskTemplate.Cadence.MONTHLY:
        return f"{day:%Y-%m}"
    return day.isoformat()


def _fires_today(day: datetime.date) -> Q:
    """Templates whose firing day is `day`: a day of month past the month's end fires on
    its last day."""
    monthly = Q(day_of_month=day.day)
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        monthly = Q(day_of_month__gte=day.day)
    cadence = TaskTemplate.Cadence
    return (
        Q(cadence=cadence.DAILY)
        | Q(cadence=cadence.WEEKLY, weekday=day.weekday())
        | (Q(cadence=cadence.MONTHLY) & monthly)
    )


def _passed_times(now: datetime.datetime, day: datetime.date, zone) -> dict:
    """{time of day: its instant today} for the times already passed at `now`.

    Instants, not wall-clock readings: a time the spring-forward skips (2:30 AM) falls an
    hour later by the clock (3:30 AM EDT); one the fall-back repeats is its first passing.
    """
    instants = {when: datetime.datetime.combine(day, when, zone) for when in QUARTER_HOURS}
    return {when: instant for when, instant in instants.items() if instant <= now}


def due_templates(now: datetime.datetime):
    """Active templates firing today (New York) whose time of day has passed at `now` and
    that have no task for today's occurrence yet."""
    zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
    day = now.astimezone(zone).date()
    keys = {cadence: occurrence_key(cadence, day) for cadence in TaskTemplate.Cadence.values}
    generated = Task.objects.filter(template=OuterRef("pk"), occurrence_key__in=keys.values())
    return (
        TaskTemplate.objects.filter(active=True, time_of_day__in=_passed_times(now, day, zone))
        .filter(_fires_today(day))
        .exclude(Exists(generated))
        .order_by()
    )


def generate_recurring(now: datetime.datetime | None = None) -> int:
    """One tick: insert today's task of every due template; returns how many were inserted.

    One statement, INSERT … SELECT over `due_templates`: the due instant and the occurrence
    key are computed in the SELECT, and a row another tick stored first is dropped by
    `ON CONFLICT DO NOTHING` (Postgres and SQLite 3.35+ both read it).
    """
    now = now or timezone.now()
    zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
    day = now.astimezone(zone).date()
    due_at = Case(
        *(
            When(time_of_day=when, then=Value(instant))
            for when, instant in _passed_times(now, day, zone).items()
        ),
        output_field=DateTimeField(),
    )
    key = Case(
        *(
            When(cadence=cadence, then=Value(occurrence_key(cadence, day)))
            for cadence in (
                TaskTemplate.Cadence.WEEKLY,
                TaskTemplate.Cadence.MONTHLY,
            )
        ),
        default=Value(occurrence_key(TaskTemplate.Cadence.DAILY, day)),
        output_field=CharField(),
    )
    rows = due_templates(now).annotate(
        task_due_at=due_at,
        task_office_id=F("assignee_office_id"),
        task_created_at=Value(now, output_field=DateTimeField()),
        task_key=key,
    )
    select_sql, params = rows.values_list(
        "title",
        "description",
        "task_due_at",
        "assignee_user_id",
        "assignee_office_id",
        "task_office_id",
        "task_created_at",
        "id",
        "task_key",
    ).query.sql_with_params()
    sql = (
        f"INSERT INTO {Task._meta.db_table} ({', '.join(COLUMNS)}) {select_sql}"
        " ON CONFLICT DO NOTHING RETURNING office_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        offices = [office_id for (office_id,) in cursor.fetchall()]
    if offices:
        transaction.on_commit(lambda: _announce(offices))
    return len(offices)


def _announce(offices: list[int | None]) -> None:
    for office_id in set(offices):
        livesync.bump(office_id=office_id)
    badges.bust()
