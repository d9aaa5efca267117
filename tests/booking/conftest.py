"""The booking cast: the Sliding office, its owner, and embeds made through the actions."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking import services
from booking.models import DEFAULT_THANK_YOU, Embed

NEW_YORK = ZoneInfo("America/New_York")
# A Tuesday, 10:30 AM in New York: today's 8 and 10 o'clock windows have started.
TUESDAY_MORNING = datetime.datetime(2025, 1, 14, 10, 30, tzinfo=NEW_YORK)

SERVICES = [
    {"name": "Sliding door repair", "price": "149.00", "image": ""},
    {"name": "Screen replacement", "price": "", "image": ""},
]


def embed_fields(office, /, **overrides) -> dict:
    fields = {
        "name": "Sliding — website",
        "slug": "sliding",
        "office": office,
        "time_zone": "America/New_York",
        "open_hour": 8,
        "close_hour": 18,
        "page_title": "Book a repair",
        "company_name": "Sliding Door Pros",
        "brand_color": "#0f766e",
        "logo": "",
        "services": [dict(service) for service in SERVICES],
        "callouts": [{"icon": "📞", "title": "We call to confirm", "body": "Within minutes."}],
        "confirmation": Embed.Confirmation.MESSAGE,
        "thank_you_message": DEFAULT_THANK_YOU,
        "redirect_url": "",
        "allowed_domains": "",
        "is_live": True,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_embed(office, owner):
    def make(**overrides) -> Embed:
        return services.create_embed(actor=owner, **embed_fields(office, **overrides))

    return make


@pytest.fixture
def embed(make_embed) -> Embed:
    return make_embed()


@pytest.fixture
def tuesday_morning():
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        yield traveller
