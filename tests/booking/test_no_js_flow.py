"""The widget without JavaScript: plain GET forms between steps, one POST at the end, the
state riding along in hidden fields. Driven as a browser would, by pressing its buttons."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from leads.models import Lead
from tests.booking.browser import click

pytestmark = pytest.mark.django_db


def test_a_customer_books_through_all_three_steps_without_javascript(
    client, embed, tuesday_morning
):
    page = client.get(
        "/book/sliding?utm_source=google&utm_campaign=spring",
        headers={"Referer": "https://www.slidingpros.example/contact?x=1"},
    )
    assertContains(page, "What can we help with?")

    page = click(client, page, "Sliding door repair")
    assertContains(page, "Pick a date &amp; time")
    assertContains(page, "12 PM – 2 PM")  # today, 10:30 AM: 8 and 10 o'clock have started
    assertNotContains(page, "10 AM – 12 PM")

    page = click(client, page, "Wednesday, January 15")  # another day's windows
    assertContains(page, "Arrival window on Wednesday, January 15")
    assertContains(page, "8 AM – 10 AM")

    page = click(client, page, "Next week")
    assertContains(page, "Jan 19 – 25")
    page = click(client, page, "Previous week")
    assertContains(page, "Jan 12 – 18")

    page = click(client, page, "Wednesday, January 15")
    page = click(client, page, "10 AM – 12 PM")
    assertContains(page, "Your info")
    assertContains(page, "Wed, Jan 15, 10 AM – 12 PM")

    page = click(client, page, "Book appointment", first_name="Maria", phone="(305) 555-0142")
    assertContains(page, "Thank you!")
    lead = Lead.objects.get()
    assert (lead.first_name, lead.phone) == ("Maria", "+13055550142")
    assert "Requested window: Wed, Jan 15, 2025, 10 AM – 12 PM EST" in lead.notes
    assert "utm_source=google, utm_campaign=spring" in lead.notes
    assert "Referrer: https://www.slidingpros.example/contact?x=1" in lead.notes


def test_the_back_buttons_keep_the_state(client, embed, tuesday_morning):
    page = client.get("/book/sliding?inline=1&utm_source=fb")
    page = click(client, page, "Screen replacement")
    page = click(client, page, "2 PM – 4 PM")
    page = click(client, page, "Change")  # back to Date & Time, the same day picked
    assertContains(page, "Arrival window on Tuesday, January 14")
    assertContains(page, 'name="utm_source" value="fb"')
    assertContains(page, 'name="inline" value="1"')
    page = click(client, page, "Back to services")
    assertContains(page, "What can we help with?")
    assertContains(page, 'name="utm_source" value="fb"')


def test_errors_come_back_on_the_same_step_with_the_entries_kept(client, embed, tuesday_morning):
    page = client.get("/book/sliding?service=1&slot=2025-01-14T16")
    page = click(client, page, "Book appointment", first_name="", phone="123", email="nope")
    assertContains(page, "Enter your first name.")
    assertContains(page, "Enter a valid US phone number, like (305) 555-0142.")
    assertContains(page, "Enter an email address like name@example.com.")
    assertContains(page, 'aria-invalid="true" aria-describedby="bk-phone-error"')
    assertContains(page, 'value="nope"')
    assert not Lead.objects.exists()

    page = click(client, page, "Book appointment", first_name="Ann", phone="3055550142", email="")
    assertContains(page, "Thank you!")
    assert Lead.objects.get().first_name == "Ann"


def test_a_foreign_number_is_refused(client, embed, tuesday_morning):
    page = client.get("/book/sliding?service=1&slot=2025-01-14T16")
    page = click(client, page, "Book appointment", first_name="Ann", phone="+44 20 7946 0958")
    assertContains(page, "Enter a US phone number, like (305) 555-0142.")
    assert not Lead.objects.exists()
