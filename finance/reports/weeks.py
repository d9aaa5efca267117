"""The report week: Monday to Sunday in business time, closing at its Sunday 11 PM send."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

WEEK_CLOSES = datetime.time(23, 0)  # Sunday 11 PM, when the report goes out


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def week_start_of(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


def week_window(week_start: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[previous Sunday 11 PM, this Sunday 11 PM) in business time, as aware datetimes."""
    zone = business_zone()
    sunday = week_start + datetime.timedelta(days=6)
    start = datetime.datetime.combine(week_start - datetime.timedelta(days=1), WEEK_CLOSES, zone)
    return start, datetime.datetime.combine(sunday, WEEK_CLOSES, zone)


def week_containing(moment: datetime.datetime) -> datetime.date:
    """The Monday of the week whose window holds `moment` (after 11 PM Sunday: the next)."""
    local = moment.astimezone(business_zone())
    day = local.date()
    if local.weekday() == 6 and local.time() >= WEEK_CLOSES:
        day += datetime.timedelta(days=1)
    return week_start_of(day)


def last_closed_week(now: datetime.datetime | None = None) -> datetime.date:
    """The latest week whose Sunday 11 PM has passed: the one the Sunday run sends."""
    return week_containing(now or timezone.now()) - datetime.timedelta(days=7)
