import datetime

import pytest
import time_machine
from django.urls import reverse

from crm.accounts.models import Role
from leads.models import AGGRESSIVE, BOOKBACK, STANDARD, CallingHours
from leads.services import SequenceFinished, log_call_attempt
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

pytestmark = pytest.mark.django_db
# A Tuesday, 10:00 AM in New York: inside any calling window.
START = datetime.datetime(2026, 5, 5, 14, 0, tzinfo=datetime.UTC)


def test_built_in_sequences_are_exactly_the_specs():
    assert len(STANDARD) == 22
    assert sum(STANDARD) / 1440 == pytest.approx(17, abs=0.1)  # 22 attempts over 17 days
    assert AGGRESSIVE == [5, 10, 20, 30, 60, 120, 180, 720, 1440, 1440, 1440, 2880, 2880, 28800]
    assert BOOKBACK == [15] * 7 + [480] * 7


def test_standard_cadence_four_then_two_calls_per_day_pair_then_daily_then_every_48h():
    hours = [minutes / 60 for minutes in STANDARD]
    elapsed = [sum(hours[:n]) for n in range(23)]  # time of attempt n+1 since the first
    assert sum(1 for t in elapsed if t < 12) == 4 and sum(1 for t in elapsed if 12 <= t < 24) == 2
    assert (
        sum(1 for t in elapsed if 48 <= t < 60) == 4
        and sum(1 for t in elapsed if 60 <= t < 72) == 2
    )
    daily = hours[12:19]
    assert len(daily) == 7 and all(20 <= gap <= 28 for gap in daily) and len(set(daily)) > 1
    assert hours[19:] == [48, 48, 48]


@pytest.mark.parametrize(
    ("key", "sequence"),
    [
        ("facebook", STANDARD),
        ("google", STANDARD),
        ("lsa", STANDARD),
        ("website", STANDARD),
        ("nextdoor", STANDARD),
        ("manual", STANDARD),
        ("angi", AGGRESSIVE),
        ("thumbtack", AGGRESSIVE),
        ("yelp", AGGRESSIVE),
        ("bookback", BOOKBACK),
    ],
)
def test_each_source_starts_with_its_built_in_sequence(key, sequence):
    assert lead_source(key).snooze_steps == sequence


def test_every_aggressive_step_in_turn_then_the_irrelevant_prompt():
    agent = UserFactory(role=Role.AGENT, has_all_offices=True)
    lead = LeadFactory(source=lead_source("yelp"), state="", timezone="America/New_York")
    CallingHours.objects.create(state="FL", start_hour=0, end_hour=24)
    lead.state = "FL"
    lead.save()
    now = START
    for attempt, minutes in enumerate(AGGRESSIVE, start=1):
        with time_machine.travel(now, tick=False):
            lead = log_call_attempt(lead=lead, actor=agent)
        assert lead.call_count == attempt
        assert lead.next_contact_at == now + datetime.timedelta(minutes=minutes)
        now = lead.next_contact_at
    with (
        time_machine.travel(now, tick=False),
        pytest.raises(SequenceFinished, match="All 14 attempts"),
    ):
        log_call_attempt(lead=lead, actor=agent)
    lead.refresh_from_db()
    assert lead.call_count == 14


def test_a_snooze_landing_at_night_moves_to_the_morning_window():
    agent = UserFactory(role=Role.AGENT, has_all_offices=True)
    lead = LeadFactory(
        source=lead_source("bookback"), state="FL", timezone="America/New_York", call_count=7
    )
    # 7:30 PM New York + 8 h = 3:30 AM → 9:00 AM (default window 9–21).
    with time_machine.travel(
        datetime.datetime(2026, 5, 5, 23, 30, tzinfo=datetime.UTC), tick=False
    ):
        lead = log_call_attempt(lead=lead, actor=agent)
    assert lead.next_contact_at == datetime.datetime(2026, 5, 6, 13, 0, tzinfo=datetime.UTC)


def test_the_shift_uses_the_states_window_and_sunday_hours():
    CallingHours.objects.create(
        state="TX", start_hour=8, end_hour=20, sunday_start_hour=12, sunday_end_hour=17
    )
    agent = UserFactory(role=Role.AGENT, has_all_offices=True)
    lead = LeadFactory(
        source=lead_source("bookback"), state="TX", timezone="America/Chicago", call_count=7
    )
    # Saturday 4:30 PM Chicago + 8 h = 0:30 AM Sunday → Sunday noon.
    with time_machine.travel(
        datetime.datetime(2026, 5, 9, 21, 30, tzinfo=datetime.UTC), tick=False
    ):
        lead = log_call_attempt(lead=lead, actor=agent)
    assert lead.next_contact_at == datetime.datetime(2026, 5, 10, 17, 0, tzinfo=datetime.UTC)


def test_the_panel_button_logs_the_attempt_and_then_offers_irrelevant(client):
    office = OfficeFactory()
    client.force_login(UserFactory(role=Role.AGENT, offices=[office]))
    lead = LeadFactory(office=office, source=lead_source("bookback"), call_count=13)
    url = reverse("leads:call", args=[lead.pk])
    with time_machine.travel(START, tick=False):
        panel = client.post(url, headers={"HX-Request": "true"}).content.decode()
        assert "Attempt 14 of 14" in panel
        panel = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "Mark the lead Irrelevant" in panel


def test_the_outside_calling_hours_warning_follows_the_leads_local_time(client):
    office = OfficeFactory()
    client.force_login(UserFactory(role=Role.AGENT, offices=[office]))
    lead = LeadFactory(office=office, state="CA", timezone="America/Los_Angeles")
    url = reverse("leads:detail", args=[lead.pk])
    with time_machine.travel(
        datetime.datetime(2026, 5, 5, 14, 0, tzinfo=datetime.UTC), tick=False
    ):  # 7 AM PT
        assert (
            "Outside calling hours"
            in client.get(url, headers={"HX-Request": "true"}).content.decode()
        )
    with time_machine.travel(
        datetime.datetime(2026, 5, 5, 18, 0, tzinfo=datetime.UTC), tick=False
    ):  # 11 AM PT
        assert (
            "Outside calling hours"
            not in client.get(url, headers={"HX-Request": "true"}).content.decode()
        )
