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
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from crm import livesync
from crm.todos import badges
from crm.todos.models import Task, TaskTemplate

BATCH = 500
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
INSERT_SQL = (
    f"INSERT INTO {Task._meta.db_table} ({', '.join(COLUMNS)}) VALUES {{rows}}"
    " ON CONFLICT DO NOTHING RETURNING office_id"
)


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


def due_templates(local_now: datetime.datetime):
    """Active templates firing today whose time of day has come on the wall clock and that
    have no task for today's occurrence yet."""
    day = local_now.date()
    generated = Task.objects.filter(template=OuterRef("pk")).filter(
        Q(occurrence_key=occurrence_key(TaskTemplate.Cadence.DAILY, day))
        | Q(occurrence_key=occurrence_key(TaskTemplate.Cadence.WEEKLY, day))
        | Q(occurrence_key=occurrence_key(TaskTemplate.Cadence.MONTHLY, day))
    )
    return (
        TaskTemplate.objects.filter(active=True, time_of_day__lte=local_now.time())
        .filter(_fires_today(day))
        .exclude(Exists(generated))
        .order_by()
    )


def generate_recurring(now: datetime.datetime | None = None) -> int:
    """One tick: insert today's task of every due template; returns how many were inserted.

    A wall-clock time that doesn't exist (2:30 AM on the spring-forward day) is due an hour
    later by the clock (3:30 AM EDT); one that happens twice fires at its first passing.
    """
    now = now or timezone.now()
    zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
    local_now = now.astimezone(zone)
    day = local_now.date()
    rows = []
    for template in due_templates(local_now).select_related("assignee_office"):
        due_at = datetime.datetime.combine(day, template.time_of_day, zone)
        if due_at > now:
            continue
        rows.append(
            (
                template.title,
                template.description,
                due_at,
                template.assignee_user_id,
                template.assignee_office_id,
                template.assignee_office_id,
                now,
                template.pk,
                occurrence_key(template.cadence, day),
            )
        )
    offices = _insert(rows)
    if offices:
        transaction.on_commit(lambda: _announce(offices))
    return len(offices)


def _insert(rows: list[tuple]) -> list[int | None]:
    """Insert the rows, skipping those another tick stored first; the inserted rows' offices."""
    inserted = []
    placeholders = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            values = [
                connection.ops.adapt_datetimefield_value(value)
                if isinstance(value, datetime.datetime)
                else value
                for row in batch
                for value in row
            ]
            cursor.execute(INSERT_SQL.format(rows=", ".join([placeholders] * len(batch))), values)
            inserted += [office_id for (office_id,) in cursor.fetchall()]
    return inserted


def _announce(offices: list[int | None]) -> None:
    for office_id in set(offices):
        livesync.bump(office_id=office_id)
    badges.bust()
