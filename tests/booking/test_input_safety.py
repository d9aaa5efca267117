"""Input the widget cannot use: a service, day or slot it does not offer is named on the
step that picks it, NUL characters and lone surrogates are cleaned away, an overlong name
is refused with the limit, and nothing is ever stored without what the visitor asked for."""

from urllib.parse import quote

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from booking.models import Booking
from leads.models import Lead
from tests.booking.conftest import EXACT_QUERY, post_exact
from tests.booking.test_submit import book, info_form

pytestmark = pytest.mark.django_db
NOT_OFFERED = "That service is not offered. Please pick one below."
BAD_DAY = "That day is not open for booking. Please pick another."
GONE = "That time is no longer available. Please pick another."


def assert_nothing_stored():
    assert not Lead.objects.exists() and not Booking.objects.exists()


@pytest.mark.parametrize("service", ["²", "0", "-1", "99", "x", "9" * 5000])
def test_a_service_the_embed_does_not_offer_is_named_on_the_service_step(client, embed, service):
    page = client.get(f"/book/sliding?service={quote(service)}")
    assertContains(page, "What can we help with?")
    assertContains(page, NOT_OFFERED)


@pytest.mark.parametrize("service", ["0", "-1", "99", "x", "²", "9" * 5000])
def test_a_booking_for_a_service_the_embed_does_not_offer_stores_nothing(
    client, embed, tuesday_morning, service
):
    page = book(client, {**info_form(client), "service": service})
    assertContains(page, "What can we help with?")
    assertContains(page, NOT_OFFERED)
    assert_nothing_stored()


def test_a_booking_without_a_service_is_sent_to_pick_one(client, embed, tuesday_morning):
    data = info_form(client)
    del data["service"]
    page = book(client, data)
    assertContains(page, "Please pick a service first.")
    assert_nothing_stored()
    # Picking one carries the visitor on; the window is picked again.
    assertContains(client.get("/book/sliding?service=2"), "Pick a date &amp; time")


def test_a_service_sent_to_an_embed_without_services_is_named_on_date_and_time(
    client, make_embed, tuesday_morning
):
    make_embed(services=[])
    data = info_form(client, "/book/sliding?slot=2025-01-15T10")
    page = book(client, {**data, "service": "1"})
    assertContains(page, "Pick a date &amp; time")
    assertContains(page, "That service is not offered. Please pick a time below.")
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("query", "week"),
    [
        ("day=0001-01-01", "Jan 12 – 18"),
        ("week=0001-01-01&day=2025-02-30", "Jan 12 – 18"),
        ("day=9999-12-31", "Apr 6 – 12"),  # the last bookable week
        ("day=2025-01-13", "Jan 12 – 18"),  # yesterday
        ("day=99999", "Jan 12 – 18"),
    ],
)
def test_an_impossible_day_is_named_on_date_and_time(client, embed, tuesday_morning, query, week):
    page = client.get(f"/book/sliding?service=1&{query}")
    assertContains(page, "Pick a date &amp; time")
    assertContains(page, BAD_DAY)
    assertContains(page, week)
    # Picking an open day from that page shows its windows, and no error.
    page = client.get("/book/sliding?service=1&day=2025-01-16")
    assertContains(page, "Arrival window on Thursday, January 16")
    assertNotContains(page, BAD_DAY)


def test_a_booking_with_an_impossible_slot_and_day_goes_back_to_date_and_time(
    client, embed, tuesday_morning
):
    data = {**info_form(client), "slot": "2025-02-30T10", "day": "0001-01-01"}
    page = book(client, data)
    assertContains(page, "Pick a date &amp; time")
    assertContains(page, GONE)
    assert_nothing_stored()


def test_nul_characters_are_cleaned_from_a_booking(client, embed, tuesday_morning):
    data = info_form(client)
    page = book(
        client,
        data,
        first_name="Ma\x00ria",
        address="100 Biscayne\x00 Blvd",
        utm_source="goo\x00gle",
        ref="https://www.slidingpros.example/\x00",
    )
    assertContains(page, "Thank you!")
    lead = Lead.objects.get()
    assert lead.first_name == "Maria"
    assert "Address: 100 Biscayne Blvd\n" in lead.notes
    assert "UTM: utm_source=google\n" in lead.notes
    assert "Referrer: https://www.slidingpros.example/\n" in lead.notes


def test_nul_characters_are_cleaned_from_the_carried_state(client, embed):
    page = client.get("/book/sliding?utm_source=f%00b&ref=https://x.example/%00")
    assertContains(page, 'name="utm_source" value="fb"')
    assertContains(page, 'name="ref" value="https://x.example/"')


def test_lone_surrogates_are_cleaned_from_a_booking(client, embed, tuesday_morning):
    data = {
        **info_form(client),
        "first_name": "Maria\ud800",
        "last_name": "\udfffLopez",
        "phone": "3055550142",
        "utm_campaign": "spring\ud83d",
    }
    page = post_exact(client, "/book/sliding", data)
    assertContains(page, "Thank you!")
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.campaign) == ("Maria", "Lopez", "spring")


def test_lone_surrogates_in_a_refused_form_are_not_shown_back(client, embed, tuesday_morning):
    data = {**info_form(client), "first_name": "Maria\ud800", "phone": "12\udc00"}
    page = post_exact(client, "/book/sliding", data)
    assertContains(page, "Enter a valid US phone number, like (305) 555-0142.")
    assertContains(page, 'value="Maria"')
    assert_nothing_stored()


def test_lone_surrogates_are_cleaned_from_the_carried_state(client, embed):
    page = client.get("/book/sliding?utm_source=fb%5Cud800", headers={"Content-Type": EXACT_QUERY})
    assertContains(page, 'name="utm_source" value="fb"')


def test_a_name_over_80_characters_is_refused_with_the_limit(client, embed, tuesday_morning):
    page = book(client, info_form(client), first_name="A" * 81, last_name="B" * 95)
    assertContains(page, "Enter a first name of at most 80 characters (this one has 81).")
    assertContains(page, "Enter a last name of at most 80 characters (this one has 95).")
    assert_nothing_stored()
    assertContains(book(client, info_form(client), first_name="A" * 80), "Thank you!")
    assert Lead.objects.get().first_name == "A" * 80  # kept whole
