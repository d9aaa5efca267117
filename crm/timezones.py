"""A local clock (a job's, a booking's): its IANA zone from the ZIP (offline data) or the state,
and SQL conditions that hold "in each job's own time zone" without converting per row."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import zipcodes
from django.conf import settings
from django.db.models import Q

from crm import geo

# The zone most of each state's ZIPs use; a ZIP, when known, is more precise (western
# Florida, the Oregon/Idaho line...). Territories included: offices book jobs there too.
STATE_ZONES = {
    "AK": "America/Anchorage",
    "AL": "America/Chicago",
    "AR": "America/Chicago",
    "AS": "Pacific/Pago_Pago",
    "AZ": "America/Phoenix",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DC": "America/New_York",
    "DE": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "GU": "Pacific/Guam",
    "HI": "Pacific/Honolulu",
    "IA": "America/Chicago",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "MA": "America/New_York",
    "MD": "America/New_York",
    "ME": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MO": "America/Chicago",
    "MP": "Pacific/Saipan",
    "MS": "America/Chicago",
    "MT": "America/Denver",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "NE": "America/Chicago",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NV": "America/Los_Angeles",
    "NY": "America/New_York",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "PR": "America/Puerto_Rico",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VA": "America/New_York",
    "VI": "America/St_Thomas",
    "VT": "America/New_York",
    "WA": "America/Los_Angeles",
    "WI": "America/Chicago",
    "WV": "America/New_York",
    "WY": "America/Denver",
}


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def known_zones() -> frozenset[str]:
    """Every zone `zone_for` can return. Static data, so process memory is fine."""
    names = {row.get("timezone") or "" for row in zipcodes.list_all()}
    names |= {*STATE_ZONES.values(), settings.BUSINESS_TIME_ZONE}
    # The ZIP data has a few blanks and a typo or two ("Napakiak"): keep real zones only.
    return frozenset(name for name in names if name and _is_zone(name))


def zone_for(*, zip_code: str = "", state: str = "") -> str:
    """The IANA zone of an address: from its ZIP, else its state, else business time."""
    info = geo.zip_info(zip_code)
    if info and info.timezone in known_zones():
        return info.timezone
    return STATE_ZONES.get((state or "").strip().upper(), settings.BUSINESS_TIME_ZONE)


def zone_or_default(name: str) -> ZoneInfo:
    """The job's zone; anything unknown reads as business time (as `by_local_clock` does)."""
    return ZoneInfo(name if name in known_zones() else settings.BUSINESS_TIME_ZONE)


def local_midnight(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


@cache
def _zones() -> tuple[tuple[str, ZoneInfo], ...]:
    return tuple((name, ZoneInfo(name)) for name in sorted(known_zones()))


def _named(names: Iterable[str]) -> list[tuple[str, ZoneInfo]]:
    known = known_zones()
    return [(name, ZoneInfo(name)) for name in names if name in known]


def by_local_clock(
    key: Callable[[ZoneInfo], Hashable],
    condition: Callable[[Hashable], Q],
    field="timezone",
    zones: Iterable[str] | None = None,
) -> Q:
    """A condition on each job's own clock, as plain SQL.

    `key(zone)` is what the condition needs from a zone's clock (today's date, a pair of
    UTC bounds...). Zones that agree share one branch, so the whole country collapses to
    a handful of `timezone IN (...) AND <condition>` branches instead of a per-row
    conversion no index can serve. Jobs with an unknown zone follow business time.
    `zones`: the zones to branch on (default: every known one); the rest follow business
    time too.
    """
    groups: dict[Hashable, list[str]] = defaultdict(list)
    for name, zone in _zones() if zones is None else _named(zones):
        groups[key(zone)].append(name)
    fallback = key(ZoneInfo(settings.BUSINESS_TIME_ZONE))
    # Business time's branch is written as "not in any other branch", so it also covers
    # unknown zones, and on most hours of the day (every zone agrees) it is the only one.
    others = [name for value, names in groups.items() if value != fallback for name in names]
    combined = condition(fallback)
    if others:
        combined &= ~Q(**{f"{field}__in": others})
    for value, names in groups.items():
        if value != fallback:
            combined |= Q(**{f"{field}__in": names}) & condition(value)
    return combined
