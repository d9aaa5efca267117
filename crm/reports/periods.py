"""Report periods: whole days on the business clock (America/New_York).

A period runs from New York midnight of its first day to New York midnight after its last
day, so a day is 23 or 25 hours long across a DST change and a week always holds 7 days.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

MAX_CUSTOM_DAYS = 366
PRESETS = ("today", "week", "month", "custom")
EMAIL_KINDS = ("daily", "weekly", "monthly")


class PeriodError(ValueError):
    """A custom range that cannot be reported on; the message is for the user."""


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def midnight(day: datetime.date) -> datetime.datetime:
    """New York midnight starting `day`, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=business_zone())


@dataclass(frozen=True)
class Period:
    preset: str
    start: datetime.datetime
    end: datetime.datetime
    first_day: datetime.date
    last_day: datetime.date

    @classmethod
    def of_days(cls, preset: str, first_day: datetime.date, last_day: datetime.date):
        return cls(
            preset=preset,
            start=midnight(first_day),
            end=midnight(last_day + datetime.timedelta(days=1)),
            first_day=first_day,
            last_day=last_day,
        )

    @property
    def days(self) -> list[datetime.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + datetime.timedelta(days=offset) for offset in range(count)]

    @property
    def label(self) -> str:
        first, last = self.first_day, self.last_day
        if first == last:
            return f"{first:%b} {first.day}, {first.year} (ET)"
        start = f"{first:%b} {first.day}" + (f", {first.year}" if first.year != last.year else "")
        return f"{start} – {last:%b} {last.day}, {last.year} (ET)"


def _today(now: datetime.datetime | None) -> datetime.date:
    return (now or timezone.now()).astimezone(business_zone()).date()


def _month(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _week(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def _parse(text: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"The {name} date must be a date like 2026-12-01.") from None


def period_for(
    preset: str, *, start: str = "", end: str = "", now: datetime.datetime | None = None
) -> Period:
    """The period a user picked: today, this week (Monday–Sunday), this month, or a custom
    range of YYYY-MM-DD days (at most 366). Raises PeriodError for a bad custom range."""
    today = _today(now)
    if preset == "today":
        return Period.of_days("today", today, today)
    if preset == "week":
        return Period.of_days("week", *_week(today))
    if preset == "month":
        return Period.of_days("month", *_month(today))
    if preset != "custom":
        raise PeriodError("Pick Today, This Week, This Month or a custom range.")
    if not start or not end:
        raise PeriodError("A custom range needs a start and an end date.")
    first, last = _parse(start, "start"), _parse(end, "end")
    if first > last:
        raise PeriodError("The start date must be on or before the end date.")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise PeriodError(f"A custom range covers at most {MAX_CUSTOM_DAYS} days.")
    return Period.of_days("custom", first, last)


def email_window(kind: str, now: datetime.datetime) -> Period:
    """The whole days an emailed report covers when sent at `now` (11 PM New York):
    daily: that day; weekly: Monday–Sunday ending this week's Sunday; monthly: the
    previous calendar month."""
    today = _today(now)
    if kind == "daily":
        return Period.of_days("daily", today, today)
    if kind == "weekly":
        return Period.of_days("weekly", *_week(today))
    if kind == "monthly":
        return Period.of_days("monthly", *_month(today.replace(day=1) - datetime.timedelta(days=1)))
    raise ValueError(f"Unknown emailed report kind {kind!r}")
