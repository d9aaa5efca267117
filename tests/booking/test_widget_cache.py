"""The widget reads its embed from the shared cache and keeps rendered steps per process:
never a stale page after an edit, never one visitor's values in another's page."""

import datetime

import pytest
import time_machine
from pytest_django.asserts import assertContains, assertNotContains

from booking import services
from tests.booking.conftest import NEW_YORK, embed_fields

pytestmark = pytest.mark.django_db


def test_a_warm_page_view_costs_no_query(client, embed, django_assert_num_queries):
    client.get("/book/sliding")
    with django_assert_num_queries(0):
        assertContains(client.get("/book/sliding"), "Sliding door repair")


def test_an_edit_shows_on_the_next_page_view(client, owner, office, embed):
    assertContains(client.get("/book/sliding"), "Sliding door repair")
    services.update_embed(
        actor=owner,
        embed=embed,
        **embed_fields(office, services=[{"name": "Track cleaning", "price": "", "image": ""}]),
    )
    page = client.get("/book/sliding")
    assertContains(page, "Track cleaning")
    assertNotContains(page, "Sliding door repair")


def test_pausing_and_renaming_take_effect_at_once(client, owner, office, embed):
    client.get("/book/sliding")
    services.set_live(actor=owner, embed=embed, is_live=False)
    assert client.get("/book/sliding").status_code == 404
    services.set_live(actor=owner, embed=embed, is_live=True)
    services.update_embed(actor=owner, embed=embed, **embed_fields(office, slug="doors"))
    assert client.get("/book/sliding").status_code == 404
    assert client.get("/book/doors").status_code == 200


def test_a_slug_asked_for_before_it_existed_works_once_created(client, make_embed):
    assert client.get("/book/sliding").status_code == 404
    make_embed()
    assert client.get("/book/sliding").status_code == 200


def test_each_visitor_gets_their_own_hidden_fields(client, embed):
    first = client.get("/book/sliding?utm_source=google&utm_campaign=spring")
    second = client.get("/book/sliding", headers={"Referer": "https://www.partner.example/page"})
    assertContains(first, 'name="utm_source" value="google"')
    assertNotContains(second, "google")
    assertNotContains(second, "spring")
    assertContains(second, 'name="ref" value="https://www.partner.example/page"')
    assertNotContains(client.get("/book/sliding"), 'type="hidden"')


def test_hidden_values_are_escaped(client, embed):
    page = client.get('/book/sliding?utm_source="><script>alert(1)</script>')
    assertNotContains(page, "<script>alert(1)")
    assertContains(page, 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')


def test_the_kept_date_step_follows_the_office_clock(client, make_embed):
    make_embed(services=[])
    before_noon = datetime.datetime(2025, 1, 14, 11, 59, tzinfo=NEW_YORK)
    with time_machine.travel(before_noon, tick=False):
        assertContains(client.get("/book/sliding"), 'value="2025-01-14T12"')
    with time_machine.travel(before_noon + datetime.timedelta(minutes=1), tick=False):
        page = client.get("/book/sliding")
    assertNotContains(page, 'value="2025-01-14T12"')
    assertContains(page, 'value="2025-01-14T14"')


def test_a_fragment_and_a_full_page_are_kept_apart(client, embed):
    full = client.get("/book/sliding")
    fragment = client.get("/book/sliding", headers={"HX-Request": "true"})
    inline = client.get("/book/sliding?inline=1")
    assert b"<html" in full.content and b"<html" not in fragment.content
    assert b"bk-hero" in full.content and b"bk-hero" not in inline.content
