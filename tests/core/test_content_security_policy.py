"""The Content-Security-Policy header: strict on CRM pages, the widget's own on /book/."""

import pytest

from booking import demo as booking_demo
from booking.models import Embed
from tests.factories import OfficeFactory


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


@pytest.fixture
def sliding_embed(owner):
    OfficeFactory(name="Sliding")
    booking_demo.seed_embeds(owner)
    return Embed.objects.get(slug="sliding")


def test_a_crm_page_runs_only_scripts_from_our_own_files(client, owner):
    client.force_login(owner)
    policy = directives(client.get("/leads"))
    assert policy["script-src"] == ["'self'", "https://maps.googleapis.com"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_sign_in_page_has_the_policy_too(client, db):
    policy = directives(client.get("/login"))
    assert policy["script-src"] == ["'self'", "https://maps.googleapis.com"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_widget_keeps_its_own_frame_ancestors_header(client, sliding_embed):
    page = client.get("/book/sliding?inline=1")
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == "frame-ancestors *"


def test_the_widget_keeps_its_whitelist_and_gets_none_of_the_crm_policy(client, sliding_embed):
    Embed.objects.filter(pk=sliding_embed.pk).update(allowed_domains="slidingpros.example")
    page = client.get("/book/sliding")
    assert page["Content-Security-Policy"] == "frame-ancestors 'self' slidingpros.example"
    assert "X-Frame-Options" not in page
