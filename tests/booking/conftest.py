"""The booking cast: the Sliding office, its owner, and embeds made through the actions."""

import datetime
from urllib.parse import quote
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


# A client may name any charset in Content-Type and Django decodes a multipart form (and
# the query string) with it: with unicode_escape, \ud800 arrives as a lone surrogate and
# \x00 as NUL. (A urlencoded body must be UTF-8: Django answers any other charset 400.)
BOUNDARY = "bk-exact-boundary-7f3a"
EXACT = f"multipart/form-data; boundary={BOUNDARY}; charset=unicode_escape"
EXACT_QUERY = "text/plain; charset=unicode_escape"


def _escaped(text: str) -> bytes:
    return text.encode("unicode_escape").replace(b'"', b"\\x22")


def exact_body(data: dict[str, str]) -> bytes:
    """`data` as a form the server decodes (under EXACT) to these very strings."""
    # A quoted header parameter is unquoted (\\ to \) before the charset decodes it.
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (BOUNDARY.encode(), _escaped(key).replace(b"\\", b"\\\\"), _escaped(value))
        for key, value in data.items()
    ]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


def exact_query(data: dict[str, str]) -> str:
    """`data` as a query string the server decodes (under EXACT_QUERY) to these strings."""
    return "&".join(
        f"{quote(_escaped(key), safe='')}={quote(_escaped(value), safe='')}"
        for key, value in data.items()
    )


def post_exact(client, path: str, data: dict[str, str], **extra):
    # generic(): post() would re-encode the body in the charset the content type names.
    return client.generic("POST", path, exact_body(data), content_type=EXACT, **extra)


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
