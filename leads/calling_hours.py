"""Calling windows per US state, in the lead's local time (CP → Calling Hours)."""

import datetime

from django.utils import timezone

from leads.models import CallingHours, Lead

# Without a row for the lead's state, the spec's quiet-hours default: 9am–9pm local.
DEFAULT_WINDOW = (9, 21)


def window_for(state: str, weekday: int, table: dict | None = None) -> tuple[int, int]:
    rows = table if table is not None else {row.state: row for row in CallingHours.objects.all()}
    row = rows.get(state)
    return row.window(weekday) if row else DEFAULT_WINDOW


def is_outside(lead: Lead, now: datetime.datetime | None = None) -> bool:
    """Is it outside the lead's calling window right now (in the lead's local time)?"""
    local = (now or timezone.now()).astimezone(lead.local_zone)
    start, end = window_for(lead.state, local.weekday())
    return not start <= local.hour < end


def adjust_to_calling_hours(lead: Lead, when: datetime.datetime) -> datetime.datetime:
    """Move `when` into the next calling window of the lead's state (3 AM → 9 AM).

    A time inside a window is returned unchanged.
    """
    table = {row.state: row for row in CallingHours.objects.filter(state=lead.state)}
    local = when.astimezone(lead.local_zone)
    for _ in range(8):  # a week always holds a window
        start, end = window_for(lead.state, local.weekday(), table)
        if start < end:
            if local.hour < start:
                return local.replace(hour=start, minute=0, second=0, microsecond=0)
            if local.hour < end:
                return local
        next_day = (local + datetime.timedelta(days=1)).date()
        local = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=lead.local_zone)
    return when
