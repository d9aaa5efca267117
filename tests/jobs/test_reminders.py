"""📋 EOD / 🌅 Morning Reminders: one message per contractor for a day, maps with a key."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from jobs.models import Job, Status
from tests.factories import ContractorFactory, JobFactory, UserFactory

pytestmark = pytest.mark.django_db
REMINDERS = reverse("jobs:reminders")
DAY = datetime.date(2026, 5, 1)


def at(hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 5, 1, hour + 4, tzinfo=datetime.UTC)  # EDT


@pytest.fixture
def day_jobs(sliding, repair):
    mike = ContractorFactory(name="Mike Hernandez")
    joe = ContractorFactory(name="Joe Smith")
    common = {"office": sliding, "job_type": repair}
    return [
        JobFactory(
            **common,
            contractor=mike,
            first_name="Ann",
            last_name="Lee",
            starts_at=at(13),
            street="9 Palm Ave",
            city="Miami",
            state="FL",
            zip_code="33132",
            notes="Dog in yard",
        ),
        JobFactory(
            **common,
            contractor=mike,
            first_name="Bo",
            last_name="Cruz",
            starts_at=at(8),
            street="1 Bay Rd",
            city="Miami",
            state="FL",
            zip_code="33139",
        ),
        JobFactory(**common, contractor=joe, first_name="Cy", last_name="Dunn", starts_at=at(10)),
        JobFactory(
            **common,
            contractor=joe,
            status=Status.CANCELLED,
            first_name="No",
            last_name="Show",
            starts_at=at(11),
        ),
        JobFactory(**common, first_name="Nobody", last_name="Assigned", starts_at=at(12)),
        JobFactory(
            **common,
            contractor=mike,
            first_name="Next",
            last_name="Day",
            starts_at=at(13) + datetime.timedelta(days=1),
        ),
    ]


def get(client, user, **params):
    client.force_login(user)
    return client.get(REMINDERS, {"day": DAY.isoformat(), **params}, headers={"HX-Request": "true"})


def test_morning_reminders_list_each_contractors_stops_in_time_order(
    client, agent, day_jobs, settings
):
    settings.GOOGLE_MAPS_API_KEY = ""
    html = get(client, agent, kind="morning").content.decode()
    assert "Reminder for Today — Joe Smith" in html
    mike = (
        "Reminder for Today — Mike Hernandez\n\n"
        "1. ***8AM-10AM*** 1 Bay Rd, Miami, FL 33139\n\n"
        "2. ***1PM-3PM*** 9 Palm Ave, Miami, FL 33132"
    )
    assert mike in html
    for absent in ("No Show", "Nobody", "Next Day", "<img"):
        assert absent not in html


def test_eod_reminders_are_the_long_form(client, agent, day_jobs, settings):
    settings.GOOGLE_MAPS_API_KEY = ""
    html = get(client, agent, kind="eod").content.decode()
    assert "Reminder for Tomorrow — Mike Hernandez" in html
    assert "Customer: Ann Lee" in html and "Notes: Dog in yard" in html
    assert "Job Type: Repair" in html and "Date+Time: Fri May 1, 1PM-3PM" in html


def test_with_a_key_jobs_without_a_point_are_placed_and_mapped(
    client, agent, day_jobs, fake_google
):
    unplaced = day_jobs[2]
    Job.objects.filter(pk=unplaced.pk).update(lat=None, lng=None)
    fake_google.answer = (
        200,
        {"candidates": [{"geometry": {"location": {"lat": 25.9, "lng": -80.3}}}], "status": "OK"},
    )
    html = get(client, agent, kind="eod").content.decode()
    path, query = fake_google.queries[0]
    assert path == "/maps/api/place/findplacefromtext/json"
    assert query["input"] == [unplaced.address] and query["fields"] == ["geometry"]
    unplaced.refresh_from_db()
    assert (unplaced.lat, unplaced.lng) == (25.9, -80.3)
    maps = [part.split('"')[0] for part in html.split('src="')[1:]]
    markers = parse_qs(urlparse(maps[0].replace("&amp;", "&")).query)["markers"]
    assert markers == ["color:red|label:1|25.90000,-80.30000"]  # Joe's one stop
    assert "🖼 Copy Image" in html


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_readers_get_no_reminders(client, sliding, day_jobs, role):
    user = UserFactory(role=role, offices=[sliding], partner_name="GDQ")
    assert get(client, user, kind="eod").status_code in (302, 403)


def test_a_bad_day_or_kind_is_refused(client, agent):
    assert get(client, agent, kind="lunch").status_code == 400
    client.force_login(agent)
    assert client.get(REMINDERS, {"day": "soon", "kind": "eod"}).status_code == 400
