"""The widget's calendar: a Sunday-to-Saturday strip of 7 days and 2-hour windows from the
embed's open hour up to close − 2, all on the office's local clock (the embed's time zone).

A day before today, or with no window left, cannot be picked; a window that has started
is not offered. Customers book at most `MAX_WEEKS_AHEAD` weeks out.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

WINDOW_HOURS = 2
MAX_WEEKS_AHEAD = 12


@dataclass(frozen=True)
class Window:
    start: datetime.datetime  # aware, on the office's clock
    end: datetime.datetime

    @property
    def key(self) -> str:
        """What the form carries: the local day and start hour, e.g. 2025-01-14T08."""
        return f"{self.start:%Y-%m-%dT%H}"

    @property
    def label(self) -> str:
        return f"{_hour(self.start)} – {_hour(self.end)}"

    @property
    def day_label(self) -> str:
        return f"{self.start:%a, %b} {self.start.day}"

    @property
    def full_label(self) -> str:
        """Tue, Jan 14, 2025, 8 AM – 10 AM EST: the requested window, as agents read it."""
        return f"{self.day_label}, {self.start.year}, {self.label} {self.start.tzname()}"


@dataclass(frozen=True)
class Day:
    date: datetime.date
    windows: tuple[Window, ...]
    is_past: bool
    is_selected: bool = False

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    @property
    def is_open(self) -> bool:
        return not self.is_past and bool(self.windows)


def _hour(moment: datetime.datetime) -> str:
    return f"{moment.hour % 12 or 12} {'AM' if moment.hour < 12 else 'PM'}"


def local_now(zone: ZoneInfo, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()).astimezone(zone)


def windows_for(
    day: datetime.date,
    *,
    open_hour: int,
    close_hour: int,
    zone: ZoneInfo,
    now: datetime.datetime | None = None,
) -> tuple[Window, ...]:
    """The day's windows that have not started yet: open, open+2... while start ≤ close−2."""
    current = local_now(zone, now)
    windows = []
    for hour in range(open_hour, close_hour - WINDOW_HOURS + 1, WINDOW_HOURS):
        start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
        end_day = day + datetime.timedelta(days=(hour + WINDOW_HOURS) // 24)
        end = datetime.datetime.combine(
            end_day, datetime.time((hour + WINDOW_HOURS) % 24), tzinfo=zone
        )
        if start > current:
            windows.append(Window(start, end))
    return tuple(windows)


def week_start(day: datetime.date) -> datetime.date:
    """The Sunday on or before `day` (US weeks)."""
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


@dataclass(frozen=True)
class Calendar:
    """What the Date & Time step shows for one week."""

    days: tuple[Day, ...]
    selected: Day | None
    previous_week: datetime.date | None  # None: this week is the first bookable one
    next_week: datetime.date | None  # None: past the horizon

    @property
    def range_label(self) -> str:
        first, last = self.days[0].date, self.days[-1].date
        if first.month == last.month:
            return f"{first:%b} {first.day} – {last.day}"
        return f"{first:%b} {first.day} – {last:%b} {last.day}"


def parse_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def calendar(
    *,
    open_hour: int,
    close_hour: int,
    zone: ZoneInfo,
    week: datetime.date | None = None,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Calendar:
    """The week holding `day` (else `week`, else the first week with a free window), with
    `day` selected when it can be picked, else the week's first open day."""
    today = local_now(zone, now).date()
    first_week = week_start(today)
    last_week = first_week + datetime.timedelta(weeks=MAX_WEEKS_AHEAD)
    anchor = day or week or today
    # Clamp before stepping back to Sunday: the week of 0001-01-01 starts before year 1.
    start = week_start(min(max(anchor, first_week), last_week))

    def days_from(start: datetime.date) -> list[Day]:
        days = []
        for offset in range(7):
            date = start + datetime.timedelta(days=offset)
            windows = windows_for(
                date, open_hour=open_hour, close_hour=close_hour, zone=zone, now=now
            )
            days.append(Day(date, windows if date >= today else (), is_past=date < today))
        return days

    days = days_from(start)
    # A week the customer did not ask for opens where something can be booked: on a Saturday
    # night this week has nothing left, so the widget starts on next week.
    while week is None and not any(d.is_open for d in days) and start < last_week:
        start += datetime.timedelta(weeks=1)
        days = days_from(start)
    wanted = next((d for d in days if d.date == day and d.is_open), None)
    wanted = wanted or next((d for d in days if d.is_open), None)
    days = [Day(d.date, d.windows, d.is_past, d is wanted) for d in days]
    selected = next((d for d in days if d.is_selected), None)
    return Calendar(
        days=tuple(days),
        selected=selected,
        previous_week=start - datetime.timedelta(weeks=1) if start > first_week else None,
        next_week=start + datetime.timedelta(weeks=1) if start < last_week else None,
    )


def find_window(
    key: str,
    *,
    open_hour: int,
    close_hour: int,
    zone: ZoneInfo,
    now: datetime.datetime | None = None,
) -> Window | None:
    """The window `key` (2025-01-14T08) names, if it is still offered; else None."""
    date = parse_date((key or "")[:10])
    if date is None or key[10:11] != "T":
        return None
    today = local_now(zone, now).date()
    if not today <= date < week_start(today) + datetime.timedelta(weeks=MAX_WEEKS_AHEAD + 1):
        return None
    windows = windows_for(date, open_hour=open_hour, close_hour=close_hour, zone=zone, now=now)
    return next((window for window in windows if window.key == key), None)
