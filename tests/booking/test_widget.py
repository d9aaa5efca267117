"""The public page: steps, modes (full page, inline, test), branding, framing headers, and
the friendly "not available" answer."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateNotUsed

from booking import tokens
from crm.controlpanel.models import AppSettings

pytestmark = pytest.mark.django_db


def test_the_first_step_shows_the_service_cards(client, embed):
    page = client.get("/book/sliding")
    assert page.status_code == 200
    assertContains(page, "What can we help with?")
    assertContains(page, '<span class="bk-service__name">Sliding door repair</span>')
    assertContains(page, '<span class="bk-service__price">$149</span>')
    assertContains(page, '<span class="bk-service__name">Screen replacement</span>')
    assertContains(page, 'aria-current="step"><span class="bk-step__dot" aria-hidden="true">1')


def test_without_services_the_widget_opens_on_date_and_time(client, make_embed, tuesday_morning):
    make_embed(services=[])
    page = client.get("/book/sliding")
    assertContains(page, "Pick a date &amp; time")
    assertNotContains(page, "What can we help with?")
    assertNotContains(page, "Back to services")
    step_labels = page.content.decode().count('class="bk-step__label"')
    assert step_labels == 2  # Date & Time, Your Info


def test_full_page_mode_shows_the_title_and_the_sidebar(client, embed):
    page = client.get("/book/sliding")
    assertContains(page, '<header class="bk-hero"><h1>Book a repair</h1></header>')
    assertContains(page, "What to expect")
    assertContains(page, "We call to confirm")


def test_the_default_title_is_book_online(client, make_embed):
    make_embed(page_title="")
    assertContains(client.get("/book/sliding"), "<h1>BOOK ONLINE</h1>")


def test_inline_mode_has_no_title_and_no_sidebar(client, embed):
    page = client.get("/book/sliding?inline=1")
    assertNotContains(page, "bk-hero")
    assertNotContains(page, "What to expect")
    assertContains(page, 'class="bk bk--inline"')
    assertContains(page, 'name="inline" value="1"')  # the next step stays inline


def test_the_brand_colour_drives_the_page(client, make_embed):
    make_embed(brand_color="#fde047")  # a light yellow: dark text on it
    page = client.get("/book/sliding")
    assertContains(page, 'style="--brand:#fde047;--on-brand:#0f172a"')


def test_the_page_is_standalone_and_light(client, embed):
    page = client.get("/book/sliding")
    assertTemplateNotUsed(page, "base.html")
    html = page.content.decode()
    assert "/static/booking/widget.css" in html and "/static/booking/widget.js" in html
    assert "app.css" not in html and "htmx" not in html
    assert len(page.content) < 8_000


def test_an_htmx_request_gets_the_step_fragment_only(client, embed, tuesday_morning):
    page = client.get("/book/sliding?service=1", headers={"HX-Request": "true"})
    html = page.content.decode()
    assert "Pick a date &amp; time" in html
    assert "<html" not in html and "bk-hero" not in html


def test_the_logo_and_service_images_are_served_apart_and_cached(client, make_embed):
    from booking.images import StoredImage

    png = StoredImage("image/png", "data:image/png;base64,iVBORw0KGgo=")
    embed = make_embed(logo=png, services=[{"name": "Repair", "price": None, "image": png}])
    page = client.get("/book/sliding")
    url = reverse("booking:image", args=[embed.logo])
    assertContains(page, f'<img class="bk-logo" src="{url}" alt="Sliding Door Pros">')
    assertContains(page, f'<img src="{url}" alt="" loading="lazy">')
    image = client.get(url)
    assert image["Content-Type"] == "image/png"
    assert image.content == b"\x89PNG\r\n\x1a\n"
    assert image["Cache-Control"] == "public, max-age=31536000, immutable"


def test_places_autocomplete_only_with_a_key(client, embed, tuesday_morning):
    url = "/book/sliding?service=1&slot=2025-01-14T12"
    assertNotContains(client.get(url), "data-places-key")
    settings = AppSettings.load()
    settings.google_places_api_key = "AIza-widget-key"
    settings.save()
    assertContains(client.get(url), 'data-places-key="AIza-widget-key"')


# --- Framing and cookies ---------------------------------------------------------------


def test_any_site_may_frame_an_embed_without_a_whitelist(client, embed):
    page = client.get("/book/sliding?inline=1")
    assert page["Content-Security-Policy"] == "frame-ancestors *"
    assert "X-Frame-Options" not in page  # the CRM's DENY is lifted on the widget only


def test_a_whitelist_becomes_frame_ancestors(client, make_embed):
    make_embed(allowed_domains="example.com, https://www.example.com,*.shop.example.com")
    page = client.get("/book/sliding?inline=1")
    assert page["Content-Security-Policy"] == (
        "frame-ancestors 'self' example.com https://www.example.com *.shop.example.com"
    )
    assert "X-Frame-Options" not in page


def test_the_crm_itself_still_refuses_to_be_framed(client, owner):
    client.force_login(owner)
    assert client.get("/cp/online-booking")["X-Frame-Options"] == "DENY"


def test_the_widget_sets_no_cookie_so_blocked_third_party_cookies_do_not_matter(
    client, embed, tuesday_morning
):
    for url in (
        "/book/sliding",
        "/book/sliding?service=1",
        "/book/sliding?service=1&slot=2025-01-14T12",
    ):
        assert not client.get(url).cookies


# --- Not available ---------------------------------------------------------------------


def test_an_unknown_slug_is_a_friendly_404(client, db):
    page = client.get("/book/nope")
    assert page.status_code == 404
    assertContains(page, "Online booking is not available", status_code=404)
    assert "X-Frame-Options" not in page  # readable inside the customer's iframe


def test_a_paused_embed_is_not_available(client, make_embed):
    make_embed(is_live=False)
    page = client.post("/book/sliding", {"first_name": "Ann"})
    assertContains(page, "Online booking is not available", status_code=404)
    assertContains(client.get("/book/sliding?test=1"), "not available", status_code=404)


def test_the_cp_preview_link_opens_a_paused_embed_in_test_mode(client, make_embed):
    make_embed(is_live=False)
    token = tokens.preview_token("sliding")
    page = client.get("/book/sliding", {"test": "1", "preview": token})
    assertContains(page, "Test mode")
    assertContains(page, f'name="preview" value="{token}"')  # carried to the next steps
    other = tokens.preview_token("garage")
    assert client.get("/book/sliding", {"test": "1", "preview": other}).status_code == 404
    assert client.get("/book/sliding", {"preview": token}).status_code == 404  # test mode only


def test_bad_parameters_never_break_the_page(client, embed, tuesday_morning):
    for query in (
        "service=9",
        "service=-1",
        "service=abc",
        "week=2025-13-45",
        "day=yesterday",
        "slot=2025-01-14T99",
        "slot=%00",
    ):
        assert client.get(f"/book/sliding?{query}").status_code == 200, query
