"""`make run` loads a live embed at /book/sliding for the Sliding office, with two services."""

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertContains

from booking.models import Embed

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_live_sliding_embed_that_books(client):
    call_command("seed_demo")
    embed = Embed.objects.get(slug="sliding")
    assert embed.is_live and embed.office.name == "Sliding"
    assert [service["name"] for service in embed.services] == [
        "Sliding door repair",
        "Screen door replacement",
    ]
    page = client.get("/book/sliding")
    assertContains(page, "Sliding door repair")
    assertContains(page, "Screen door replacement")
    call_command("seed_demo")  # a second run changes nothing
    assert Embed.objects.count() == 1
