"""Quiet hours (spec: Quiet hours & pause-all): a rule with "Respect quiet hours" fires only
9am–9pm in the recipient's local time — the job's zone (from its ZIP) or the lead's stored
zone, America/New_York when the lead has none. The same default window as calling hours."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from crm.timezones import zone_or_default
from leads.calling_hours import DEFAULT_WINDOW

FALLBACK_ZONE = "America/New_York"


def zone_of(*, job=None, lead=None, zone_name: str = "") -> ZoneInfo:
    """The recipient's clock: a job's or lead's stored zone (or a zone name read in bulk)."""
    record = job or lead
    if record is not None:
        zone_name = record.timezone
    return zone_or_default(zone_name or FALLBACK_ZONE)


def is_quiet(zone: ZoneInfo, now: datetime.datetime | None = None) -> bool:
    """Outside 9:00–20:59 on that clock?"""
    start, end = DEFAULT_WINDOW
    local = (now or timezone.now()).astimezone(zone)
    return not start <= local.hour < end
