"""The one clock rule: a moment a person reads is on the business clock, with its zone.

The database and the server run on UTC; `{{ when|date:"g:i A" }}` would print UTC as if it
were local. Every template prints a moment through `business_time` instead, except where the
spec shows the lead's or job's own time (`lead_local`, the job's `moment`), which carry that
zone's label. `tests/core/test_clock.py` walks the templates for raw times.
"""

import datetime
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings

register = template.Library()

# style → strftime pattern; the zone's abbreviation (EST/EDT) follows every style with a time.
STYLES = {
    "short": "%b %-d, %-I:%M %p",  # Dec 5, 11:34 PM EST
    "year": "%b %-d, %Y, %-I:%M %p",  # Dec 5, 2026, 11:34 PM EST
    "long": "%A, %b %-d, %Y · %-I:%M:%S %p",  # Saturday, Dec 5, 2026 · 11:34:56 PM EST
    "date": "%b %-d, %Y",  # Dec 5, 2026 (the business day, no zone)
}


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


@register.filter
def business_time(when, style: str = "short") -> str:
    """`when` on the business clock: "Dec 5, 11:34 PM EST"; styles "year", "long", "date"."""
    if not when:
        return ""
    pattern = STYLES.get(style or "short", STYLES["short"])
    if not isinstance(when, datetime.datetime):  # a bare date has no clock to convert
        return f"{when:{STYLES['date']}}"
    if when.tzinfo is None:  # stored values are aware; a naive one is UTC
        when = when.replace(tzinfo=datetime.UTC)
    local = when.astimezone(business_zone())
    if style == "date":
        return f"{local:{pattern}}"
    return f"{local:{pattern}} {local.tzname()}"
