"""Submitting the widget: one lead through `create_lead`, with the window, UTMs and
referrer in its notes; test mode, honeypot, rate limit, tokens and double submits."""

import datetime
import threading

import pytest
import time_machine
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from booking import services, slots, tokens
from booking.models import Booking
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from leads.models import Lead, LeadSource
from tests.booking.browser import forms
from tests.booking.conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db
INFO_STEP = "/book/sliding?service=1&slot=2025-01-15T10"


def info_form(client, url=INFO_STEP, **headers) -> dict:
    """The Your Info step's POST form, as the browser holds it (hidden fields filled)."""
    page = client.get(url, headers=headers)
    form = next(form for form in forms(page) if form.method == "post")
    return dict(form.inputs)


def book(client, data: dict, **typed):
    return client.post(
        "/book/sliding", {**data, "first_name": "Maria", "phone": "3055550142", **typed}
    )


def test_a_booking_makes_a_fresh_online_booking_lead_in_the_embed_office(
    client, embed, office, tuesday_morning
):
    data = info_form(client, INFO_STEP + "&utm_source=google&utm_medium=cpc&utm_campaign=spring")
    page = book(
        client,
        data,
        last_name="Lopez",
        email="maria@example.net",
        address="100 Biscayne Blvd, Miami, FL 33132",
        ref="https://www.slidingpros.example/",
    )
    assertContains(page, "Thank you!")
    assertContains(page, "We received your request and will call you shortly to confirm.")
    lead = Lead.objects.get()
    assert lead.source == LeadSource.objects.get(key="online_booking")
    assert lead.office == office
    assert (lead.first_name, lead.last_name, lead.phone, lead.phone_last10) == (
        "Maria",
        "Lopez",
        "+13055550142",
        "3055550142",
    )
    assert lead.email == "maria@example.net"
    assert (lead.zip_code, lead.city, lead.state) == ("33132", "Miami", "FL")
    assert lead.status == "fresh"
    assert lead.service_type == "Sliding door repair"
    assert lead.how_soon == "Wed, Jan 15, 10 AM – 12 PM EST"
    assert (lead.campaign, lead.tracking_source) == ("spring", "google")
    assert lead.notes == (
        "Online booking\n"
        "Service: Sliding door repair ($149.00)\n"
        "Requested window: Wed, Jan 15, 2025, 10 AM – 12 PM EST\n"
        "Address: 100 Biscayne Blvd, Miami, FL 33132\n"
        "UTM: utm_source=google, utm_medium=cpc, utm_campaign=spring\n"
        "Referrer: https://www.slidingpros.example/\n"
        "Embed: Sliding — website (/book/sliding)"
    )


def test_every_lead_creation_hook_fires(client, embed, tuesday_morning):
    book(client, info_form(client))
    lead = Lead.objects.get()
    assert TimelineEntry.objects.get(subject_id=lead.pk).body == (
        "Lead created (online booking) from Online Booking Tool"
    )
    audit = AuditEvent.objects.get(kind="lead.created")
    assert audit.metadata == {
        "lead_id": lead.pk,
        "source": "online_booking",
        "via": "online booking",
    }
    event = DomainEvent.objects.get(name="lead.created")
    assert event.payload["lead"] == lead.pk and event.office_id == lead.office_id


def test_the_host_page_referrer_is_captured_on_the_first_load(client, make_embed, tuesday_morning):
    make_embed(services=[])
    host = "https://www.slidingpros.example/book-now?utm_source=fb&utm_campaign=summer"
    first = client.get("/book/sliding?inline=1", headers={"Referer": host})
    assertContains(first, f'name="ref" value="{host.replace("&", "&amp;")}"')
    # The iframe's src had no UTMs: they come from the host page's address.
    assertContains(first, 'name="utm_source" value="fb"')
    data = info_form(
        client,
        "/book/sliding?inline=1&slot=2025-01-15T10&ref="
        + host.replace("?", "%3F").replace("&", "%26"),
        Referer="http://testserver/book/sliding",  # our own page: never taken as referrer
    )
    book(client, data)
    notes = Lead.objects.get().notes
    assert f"Referrer: {host}" in notes
    assert "UTM: utm_source=fb, utm_campaign=summer" in notes
    assert "Service:" not in notes


def test_test_mode_runs_the_flow_and_creates_nothing(client, embed, tuesday_morning):
    data = info_form(client, INFO_STEP + "&test=1")
    page = book(client, data)
    assertContains(page, "Thank you!")
    assertContains(page, "Test mode: nothing was saved.")
    assert not Lead.objects.exists() and not Booking.objects.exists()
    assert not AuditEvent.objects.filter(kind="lead.created").exists()
    assert not DomainEvent.objects.filter(name="lead.created").exists()


def test_a_double_submit_creates_one_lead(client, embed, tuesday_morning):
    data = info_form(client)
    first, second = book(client, data), book(client, data)
    assertContains(first, "Thank you!")
    assertContains(second, "Thank you!")  # the customer sees success both times
    assert Lead.objects.count() == 1
    assert Booking.objects.get().lead == Lead.objects.get()
    # A fresh form (a new token) is a new booking.
    book(client, info_form(client))
    assert Lead.objects.count() == 2


def test_the_same_key_twice_makes_one_lead_at_the_action_level(embed, tuesday_morning):
    window = slots.find_window("2025-01-15T10", open_hour=8, close_hour=18, zone=embed.zone)
    kwargs = {
        "embed": embed,
        "submission_key": "same-key",
        "service": None,
        "window": window,
        "first_name": "Ann",
        "phone": "+13055550142",
    }
    assert services.submit_booking(**kwargs) is not None
    assert services.submit_booking(**kwargs) is None
    assert Lead.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_racing_posts_of_one_form_make_one_lead(embed):
    """Two requests at once, each in its own connection: the unique key admits one."""
    barrier, answers = threading.Barrier(2), []

    def post(data):
        from django.db import connections

        barrier.wait()
        answers.append(book(Client(), data).status_code)
        connections.close_all()

    with time_machine.travel(TUESDAY_MORNING, tick=False):  # time-machine is process-wide
        data = info_form(Client())
        threads = [threading.Thread(target=post, args=(data,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == [200, 200]
    assert Lead.objects.count() == 1 and Booking.objects.count() == 1


def test_a_forged_expired_or_foreign_token_makes_no_lead(client, make_embed, tuesday_morning):
    make_embed()
    make_embed(slug="garage", name="Garage")
    data = info_form(client)
    for token in ("", "forged", tokens.issue("garage"), data["token"] + "x"):
        page = book(client, {**data, "token": token})
        assertContains(page, "This form expired. Please check your details and press Book again.")
        assertContains(page, 'value="Maria"')  # the entries are kept
    with time_machine.travel(TUESDAY_MORNING + datetime.timedelta(hours=1, minutes=1)):
        page = book(client, data)
    assertContains(page, "This form expired.")
    assert not Lead.objects.exists()
    # The page that says so carries a fresh token that works.
    fresh = next(form for form in forms(page) if form.method == "post")
    with time_machine.travel(TUESDAY_MORNING + datetime.timedelta(hours=1, minutes=2)):
        assertContains(book(client, dict(fresh.inputs)), "Thank you!")
    assert Lead.objects.count() == 1


def test_the_honeypot_answers_like_success_stores_nothing_and_is_audited(
    client, embed, office, tuesday_morning
):
    page = book(client, info_form(client), bk_hp="http://spam.example")
    assertContains(page, "Thank you!")
    assert not Lead.objects.exists() and not Booking.objects.exists()
    audit = AuditEvent.objects.get(kind="booking.honeypot")
    assert audit.office == office
    assert audit.metadata == {"ip": "127.0.0.1", "slug": "sliding"}


def test_submissions_are_rate_limited_per_ip_and_audited_once(
    client, embed, settings, tuesday_morning
):
    settings.BOOKING_SUBMISSIONS_PER_IP = (3, 600)
    for _ in range(3):
        assertContains(book(client, info_form(client)), "Thank you!")
    for _ in range(2):
        page = book(client, info_form(client))
        assertContains(page, "Too many bookings from your network.", status_code=429)
    assert Lead.objects.count() == 3
    assert AuditEvent.objects.filter(kind="booking.rate_limited").count() == 1
    # Another address has its own allowance (the counter lives in the shared cache).
    other = Client(REMOTE_ADDR="10.0.0.9")
    assertContains(book(other, info_form(other)), "Thank you!")


def test_the_rate_limit_counts_honeypot_hits_too(client, embed, settings, tuesday_morning):
    settings.BOOKING_SUBMISSIONS_PER_IP = (2, 600)
    data = info_form(client)
    book(client, data, bk_hp="x")
    book(client, data, bk_hp="x")
    assert book(client, data).status_code == 429
    assert not Lead.objects.exists()


def test_a_deleted_source_is_put_back_rather_than_losing_the_booking(
    client, embed, tuesday_morning
):
    LeadSource.objects.filter(key="online_booking").delete()
    book(client, info_form(client))
    assert Lead.objects.get().source.label == "Online Booking Tool"


# --- Confirmation --------------------------------------------------------------------


def test_redirect_mode_sends_the_full_page_to_the_thank_you_url(
    client, make_embed, tuesday_morning
):
    make_embed(confirmation="redirect", redirect_url="https://slidingpros.example/thanks")
    page = book(client, info_form(client))
    assert page.status_code == 302 and page.url == "https://slidingpros.example/thanks"
    assert Lead.objects.count() == 1


def test_redirect_mode_through_htmx_navigates_the_top_window(client, make_embed, tuesday_morning):
    make_embed(confirmation="redirect", redirect_url="https://slidingpros.example/thanks")
    page = client.post(
        "/book/sliding",
        {**info_form(client, INFO_STEP + "&inline=1"), "first_name": "Ann", "phone": "3055550142"},
        headers={"HX-Request": "true"},
    )
    assert page["HX-Redirect"] == "https://slidingpros.example/thanks"


def test_redirect_mode_inline_without_javascript_links_the_top_window(
    client, make_embed, tuesday_morning
):
    make_embed(confirmation="redirect", redirect_url="https://slidingpros.example/thanks")
    page = book(client, info_form(client, INFO_STEP + "&inline=1"))
    assertContains(
        page,
        '<a class="bk-btn" href="https://slidingpros.example/thanks" target="_top" '
        "data-top-redirect>Continue</a>",
    )


def test_test_mode_with_a_redirect_shows_the_thank_you_and_names_the_url(
    client, make_embed, tuesday_morning
):
    make_embed(confirmation="redirect", redirect_url="https://slidingpros.example/thanks")
    page = book(client, info_form(client, INFO_STEP + "&test=1"))
    assert page.status_code == 200
    assertContains(page, "Live bookings go on to")
    assertNotContains(page, "data-top-redirect")
    assert not Lead.objects.exists()


def test_a_multi_line_thank_you_message_is_shown(client, make_embed, tuesday_morning):
    make_embed(thank_you_message="Thanks!\nWe'll call within 15 minutes.")
    page = book(client, info_form(client))
    assertContains(page, "Thanks!<br>We&#x27;ll call within 15 minutes.")


# --- CSRF inside a third-party iframe --------------------------------------------------


def test_the_widget_needs_no_csrf_cookie_its_signed_token_stands_in(embed, tuesday_morning):
    """Inside a customer's iframe our cookies are third-party and often blocked, so the
    widget never relies on one: a browser that sends no cookie at all books fine."""
    browser = Client(enforce_csrf_checks=True)
    data = info_form(browser)
    assert not browser.cookies  # nothing was set: nothing to lose
    page = book(browser, data)
    assertContains(page, "Thank you!")
    assert Lead.objects.count() == 1


def test_without_the_signed_token_a_cross_site_post_makes_nothing(embed, tuesday_morning):
    forged = Client(enforce_csrf_checks=True).post(
        "/book/sliding",
        {"service": "1", "slot": "2025-01-15T10", "first_name": "Eve", "phone": "3055550142"},
        headers={"Origin": "https://evil.example"},
    )
    assertContains(forged, "This form expired.")
    assert not Lead.objects.exists()


def test_the_crm_keeps_its_cookie_csrf(owner, embed):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post(f"/cp/online-booking/{embed.pk}/delete").status_code == 403
    assert embed.__class__.objects.filter(pk=embed.pk).exists()
