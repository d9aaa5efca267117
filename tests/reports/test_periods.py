"""Report periods are whole New York days, DST weeks included."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from crm.reports.periods import PeriodError, email_window, period_for

ET = ZoneInfo("America/New_York")
UTC = datetime.UTC


def test_today_starts_at_new_york_midnight_even_late_in_the_utc_day():
    now = datetime.datetime(2026, 12, 8, 3, 30, tzinfo=UTC)  # Dec 7, 10:30 PM ET
    today = period_for("today", now=now)
    assert today.first_day == today.last_day == datetime.date(2026, 12, 7)
    assert today.start == datetime.datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    assert today.end == datetime.datetime(2026, 12, 8, 5, 0, tzinfo=UTC)
    assert today.label == "Dec 7, 2026 (ET)"


def test_this_week_is_monday_to_sunday():
    now = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=ET)  # a Sunday
    week = period_for("week", now=now)
    assert (week.first_day, week.last_day) == (
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 6),
    )
    assert week.label == "Nov 30 – Dec 6, 2026 (ET)"
    assert len(week.days) == 7


def test_the_week_the_clocks_go_back_holds_seven_days_and_169_hours():
    week = period_for("week", now=datetime.datetime(2026, 10, 29, 12, 0, tzinfo=ET))
    assert week.days[0] == datetime.date(2026, 10, 26) and week.days[-1] == datetime.date(
        2026, 11, 1
    )
    assert week.start == datetime.datetime(2026, 10, 26, 4, 0, tzinfo=UTC)  # EDT midnight
    assert week.end == datetime.datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # EST midnight
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == datetime.timedelta(hours=169)


def test_the_week_the_clocks_go_forward_holds_167_hours():
    week = period_for("week", now=datetime.datetime(2026, 3, 8, 12, 0, tzinfo=ET))
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == datetime.timedelta(hours=167)


def test_this_month_is_the_calendar_month():
    month = period_for("month", now=datetime.datetime(2026, 2, 14, tzinfo=ET))
    assert (month.first_day, month.last_day) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
    )
    assert month.label == "Feb 1 – Feb 28, 2026 (ET)"


def test_a_custom_range_spanning_new_year_names_both_years():
    period = period_for("custom", start="2026-12-30", end="2027-01-02")
    assert period.label == "Dec 30, 2026 – Jan 2, 2027 (ET)"
    assert len(period.days) == 4


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("", "2026-12-01", "needs a start and an end"),
        ("2026-12-09", "2026-12-01", "on or before"),
        ("2026-13-01", "2026-12-01", "date like"),
        ("2025-01-01", "2026-12-01", "at most 366 days"),
    ],
)
def test_a_bad_custom_range_is_refused_with_a_reason(start, end, message):
    with pytest.raises(PeriodError, match=message):
        period_for("custom", start=start, end=end)


def test_an_unknown_preset_is_refused():
    with pytest.raises(PeriodError):
        period_for("decade")


def test_the_daily_email_covers_the_whole_new_york_day_it_is_sent_on():
    # The old bug: the window was computed in UTC from 11 PM ET, so it held ~3 hours.
    sent = datetime.datetime(2026, 12, 7, 23, 0, tzinfo=ET)
    window = email_window("daily", sent)
    assert window.start == datetime.datetime(2026, 12, 7, 0, 0, tzinfo=ET)
    assert window.end == datetime.datetime(2026, 12, 8, 0, 0, tzinfo=ET)
    assert window.end.astimezone(UTC) - window.start.astimezone(UTC) == datetime.timedelta(hours=24)


def test_the_weekly_email_covers_monday_to_the_sunday_it_is_sent_on():
    window = email_window("weekly", datetime.datetime(2026, 12, 6, 23, 0, tzinfo=ET))
    assert (window.first_day, window.last_day) == (
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 6),
    )


def test_the_monthly_email_on_the_first_covers_the_previous_month():
    window = email_window("monthly", datetime.datetime(2027, 1, 1, 23, 0, tzinfo=ET))
    assert (window.first_day, window.last_day) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 31),
    )
