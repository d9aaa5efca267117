"""Time windows: 2 hours each from the open hour to close − 2, on the office's clock; a
window that has started, and a day before today, cannot be picked."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pytest_django.asserts import assertContains, assertNotContains

from booking import slots
from tests.booking.conftest import NEW_YORK, TUESDAY_MORNING

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TUESDAY = datetime.date(2025, 1, 14)


def labels(windows) -> list[str]:
    return [window.label for window in windows]


def test_windows_run_from_open_to_close_minus_two():
    windows = slots.windows_for(
        datetime.date(2025, 1, 15), open_hour=8, close_hour=18, zone=NEW_YORK, now=TUESDAY_MORNING
    )
    assert labels(windows) == [
        "8 AM – 10 AM",
        "10 AM – 12 PM",
        "12 PM – 2 PM",
        "2 PM – 4 PM",
        "4 PM – 6 PM",
    ]


def test_an_odd_gap_ends_with_the_last_whole_window():
    windows = slots.windows_for(
        datetime.date(2025, 1, 15), open_hour=9, close_hour=16, zone=NEW_YORK, now=TUESDAY_MORNING
    )
    assert labels(windows) == ["9 AM – 11 AM", "11 AM – 1 PM", "1 PM – 3 PM"]


def test_the_minimum_gap_gives_one_window_and_midnight_closes_the_day():
    day = datetime.date(2025, 1, 15)
    one = slots.windows_for(day, open_hour=10, close_hour=12, zone=NEW_YORK, now=TUESDAY_MORNING)
    late = slots.windows_for(day, open_hour=20, close_hour=24, zone=NEW_YORK, now=TUESDAY_MORNING)
    assert labels(one) == ["10 AM – 12 PM"]
    assert labels(late) == ["8 PM – 10 PM", "10 PM – 12 AM"]
    assert late[-1].end == datetime.datetime(2025, 1, 16, 0, 0, tzinfo=NEW_YORK)


def test_windows_that_started_today_are_not_offered():
    windows = slots.windows_for(
        TUESDAY, open_hour=8, close_hour=18, zone=NEW_YORK, now=TUESDAY_MORNING
    )
    assert labels(windows) == ["12 PM – 2 PM", "2 PM – 4 PM", "4 PM – 6 PM"]


def test_a_window_starting_right_now_is_gone():
    ten_sharp = datetime.datetime(2025, 1, 14, 10, 0, tzinfo=NEW_YORK)
    windows = slots.windows_for(TUESDAY, open_hour=8, close_hour=18, zone=NEW_YORK, now=ten_sharp)
    assert labels(windows)[0] == "12 PM – 2 PM"


def test_the_office_clock_decides_not_the_server_or_the_business_clock():
    # 10:30 AM in New York is 7:30 AM in Los Angeles: a West Coast office still has its day.
    windows = slots.windows_for(
        TUESDAY, open_hour=8, close_hour=18, zone=LOS_ANGELES, now=TUESDAY_MORNING
    )
    assert labels(windows)[0] == "8 AM – 10 AM"
    assert windows[0].start.utcoffset() == datetime.timedelta(hours=-8)
    assert windows[0].full_label == "Tue, Jan 14, 2025, 8 AM – 10 AM PST"


def test_late_evening_in_utc_is_still_the_same_day_in_the_office():
    # 03:00 UTC on Wednesday is 10 PM Tuesday in New York: Tuesday is over, Wednesday open.
    night = datetime.datetime(2025, 1, 15, 3, 0, tzinfo=datetime.UTC)
    week = slots.calendar(open_hour=8, close_hour=18, zone=NEW_YORK, now=night)
    tuesday = next(day for day in week.days if day.date == TUESDAY)
    assert not tuesday.is_past and not tuesday.is_open  # today, but nothing left
    assert week.selected.date == datetime.date(2025, 1, 15)
    assert labels(week.selected.windows)[0] == "8 AM – 10 AM"


def test_the_week_strip_greys_past_days_and_selects_the_first_open_one():
    week = slots.calendar(open_hour=8, close_hour=18, zone=NEW_YORK, now=TUESDAY_MORNING)
    assert [day.date.day for day in week.days] == [12, 13, 14, 15, 16, 17, 18]  # Sun..Sat
    assert [day.is_past for day in week.days] == [True, True] + [False] * 5
    assert not any(day.is_open for day in week.days[:2])
    assert week.selected.date == TUESDAY
    assert week.previous_week is None  # no going back before this week
    assert week.next_week == datetime.date(2025, 1, 19)
    assert week.range_label == "Jan 12 – 18"


def test_an_evening_after_close_moves_the_pick_to_tomorrow():
    evening = datetime.datetime(2025, 1, 14, 16, 5, tzinfo=NEW_YORK)
    week = slots.calendar(open_hour=8, close_hour=18, zone=NEW_YORK, now=evening)
    assert week.selected.date == datetime.date(2025, 1, 15)


SATURDAY_NIGHT = datetime.datetime(2025, 1, 18, 23, 0, tzinfo=NEW_YORK)


def test_on_a_saturday_night_the_calendar_opens_on_next_week():
    week = slots.calendar(open_hour=8, close_hour=18, zone=NEW_YORK, now=SATURDAY_NIGHT)
    assert week.days[0].date == datetime.date(2025, 1, 19)  # Sunday: this week is all past
    assert week.selected.date == datetime.date(2025, 1, 19)
    assert week.range_label == "Jan 19 – 25"
    assert week.previous_week == datetime.date(2025, 1, 12)  # still there to look back at


def test_a_week_the_customer_asks_for_stays_even_when_nothing_is_left_in_it():
    week = slots.calendar(
        open_hour=8,
        close_hour=18,
        zone=NEW_YORK,
        week=datetime.date(2025, 1, 12),
        now=SATURDAY_NIGHT,
    )
    assert week.days[0].date == datetime.date(2025, 1, 12)
    assert week.selected is None and not any(day.is_open for day in week.days)


def test_asking_for_a_past_day_or_week_shows_this_week():
    week = slots.calendar(
        open_hour=8,
        close_hour=18,
        zone=NEW_YORK,
        week=datetime.date(2024, 12, 1),
        day=datetime.date(2025, 1, 13),
        now=TUESDAY_MORNING,
    )
    assert week.days[0].date == datetime.date(2025, 1, 12)
    assert week.selected.date == TUESDAY  # Monday is past: the first open day instead


def test_next_weeks_stop_at_the_horizon():
    far = datetime.date(2025, 1, 12) + datetime.timedelta(weeks=slots.MAX_WEEKS_AHEAD)
    week = slots.calendar(
        open_hour=8,
        close_hour=18,
        zone=NEW_YORK,
        week=far + datetime.timedelta(weeks=5),
        now=TUESDAY_MORNING,
    )
    assert week.days[0].date == far and week.next_week is None
    assert week.range_label == "Apr 6 – 12"


@pytest.mark.parametrize(
    "key",
    [
        "2025-01-14T08",  # started
        "2025-01-13T12",  # yesterday
        "2025-01-15T09",  # not a window start
        "2025-01-15T18",  # after close - 2
        "2026-01-15T10",  # past the horizon
        "2025-01-15 10",
        "garbage",
        "",
    ],
)
def test_a_window_key_that_is_not_offered_is_refused(key):
    assert (
        slots.find_window(key, open_hour=8, close_hour=18, zone=NEW_YORK, now=TUESDAY_MORNING)
        is None
    )


def test_an_offered_window_key_is_found():
    window = slots.find_window(
        "2025-01-15T10", open_hour=8, close_hour=18, zone=NEW_YORK, now=TUESDAY_MORNING
    )
    assert window.start == datetime.datetime(2025, 1, 15, 10, tzinfo=NEW_YORK)


def test_a_daylight_saving_morning_keeps_wall_clock_windows():
    # March 9, 2025: clocks jump from 2 to 3 AM in New York; windows stay on the hour.
    windows = slots.windows_for(
        datetime.date(2025, 3, 9), open_hour=8, close_hour=12, zone=NEW_YORK, now=TUESDAY_MORNING
    )
    assert labels(windows) == ["8 AM – 10 AM", "10 AM – 12 PM"]
    assert windows[0].start.tzname() == "EDT"


@pytest.mark.django_db
def test_the_widget_offers_the_office_clock_windows(client, make_embed):
    make_embed(slug="west", time_zone="America/Los_Angeles", services=[])
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = client.get("/book/west")
    assertContains(page, "Arrival window on Tuesday, January 14")
    assertContains(page, "(PST)")
    assertContains(page, 'value="2025-01-14T08"')
    assertContains(page, 'aria-label="Monday, January 13, unavailable" disabled')


@pytest.mark.django_db
def test_a_window_that_passed_while_filling_the_form_is_refused(client, embed):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = client.get("/book/sliding?service=1&slot=2025-01-14T12")
    assertContains(page, "Your info")
    with time_machine.travel(TUESDAY_MORNING + datetime.timedelta(hours=2), tick=False):
        page = client.get("/book/sliding?service=1&slot=2025-01-14T12")
    assertContains(page, "That time is no longer available. Please pick another.")
    assertNotContains(page, 'value="2025-01-14T12"')


@pytest.mark.django_db
def test_the_widget_opens_on_the_first_week_with_a_free_window_on_a_saturday_night(
    client, make_embed
):
    make_embed(slug="weekend", services=[])
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        page = client.get("/book/weekend")
    assertContains(page, "Arrival window on Sunday, January 19")
    assertContains(page, 'value="2025-01-19T08"')
    assertNotContains(page, 'aria-label="Saturday, January 18')
