"""The public widget under fuzzed input (Hypothesis): whatever its steps and its submit are
sent, the answer is never a server error, and a booking is stored exactly when the visitor
is told it was: a thank-you answer means one new lead (with its Booking row), any other
answer means nothing was written.

Values come from every Unicode category (NUL and lone surrogates included), as numbers of
any size and sign, as dates and slots possible and not, and very long. They reach the
server as a browser sends them (UTF-8, where a lone surrogate turns into U+FFFD) or exactly
(see EXACT in conftest). Submits carry the token of a freshly served Your Info form, or a
forged, foreign, tampered or expired one. Each submit comes from its own address, so the
per-IP limit never answers in place of the widget.
"""

import datetime
import itertools
from urllib.parse import quote

import pytest
import time_machine
from hypothesis import event, given
from hypothesis import strategies as st

from booking import tokens
from booking.models import Booking
from booking.services import UTM_KEYS
from leads.models import Lead
from tests.booking.browser import forms
from tests.booking.conftest import EXACT_QUERY, SERVICES, TUESDAY_MORNING, exact_query, post_exact

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

THANKS = "data-bk-focus>Thank you!</h2>"
NOT_OFFERED = "That service is not offered."
SLUGS = {
    "sliding": "/book/sliding?service=1&slot=2025-01-15T10",
    "garage": "/book/garage?slot=2025-01-15T10",
}
STATE = ["service", "day", "week", "slot", "inline", "ref", *UTM_KEYS]
ENTRIES = ["first_name", "last_name", "phone", "email", "address", "zip_code"]
# Test mode and the honeypot answer "thank you" and store nothing, by design: their own
# tests cover them, so the fuzzed submits never send them.
KNOWN = {*STATE, *ENTRIES, "token", "test", "preview", "bk_hp"}
ADDRESSES = itertools.count(1)

characters = st.one_of(
    st.characters(),  # every category, Cc (NUL) and Cs (lone surrogates) included
    st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff", " ", "1", "-"]),
)
text = st.text(characters, max_size=40)
long_text = st.builds(
    lambda piece, times: piece * times,
    st.text(characters, min_size=1, max_size=3),
    st.integers(27, 3000),
)
numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.integers(min_value=4000, max_value=6000).map(lambda digits: "9" * digits),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),  # ², ١, ⑦
)
days = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.dates(datetime.date(2025, 1, 1), datetime.date(2025, 5, 1)).map(datetime.date.isoformat),
    st.sampled_from(["2025-02-30", "2025-13-01", "0000-01-01", "2025-W03-3", "20250115"]),
)
slots = st.builds(
    lambda day, hour: f"{day}T{hour}",
    days,
    st.one_of(st.integers(-3, 30).map("{:02d}".format), text),
)
plausible = st.sampled_from(
    ["", "1", "2", "2025-01-15T10", "2025-01-16", "Maria", "3055550142", "maria@example.net"]
)
values = st.one_of(plausible, text, long_text, numbers, days, slots)
extra_names = text.filter(lambda name: name not in KNOWN)


def mostly(*good):
    """One of `good` three times in four, else any value: enough submits get through for
    the success side of the property to be tested too."""
    return st.one_of(*[st.sampled_from(good)] * 3, values)


def sends(draw_fields):
    """(fields to set, fields to drop, extra fields) for one request; none, half the time."""
    return st.one_of(
        st.just(({}, set(), {})),
        st.tuples(
            st.dictionaries(st.sampled_from(draw_fields), values, max_size=4),
            st.sets(st.sampled_from(draw_fields), max_size=2),
            st.dictionaries(extra_names, values, max_size=2),
        ),
    )


@pytest.fixture
def embeds(make_embed):
    """Two ways to book: with services and a thank-you message, and without services and
    with a redirect to the customer's own thank-you page."""
    make_embed()
    make_embed(
        slug="garage",
        name="Garage",
        services=[],
        confirmation="redirect",
        redirect_url="https://garage.example/thanks",
    )


def _send(client, method: str, slug: str, data: dict, *, exact: bool, htmx: bool, **extra):
    """GET or POST `data` to the widget, as a browser would (UTF-8) or `exact`ly, with
    widget.js's HX-Request header when `htmx`."""
    path = f"/book/{slug}"
    if htmx:
        extra["HTTP_HX_REQUEST"] = "true"
    if method == "GET" and exact:
        return client.get(f"{path}?{exact_query(data)}", CONTENT_TYPE=EXACT_QUERY, **extra)
    if method == "GET":
        query = "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in data.items())
        return client.get(f"{path}?{query}", **extra)
    if exact:
        return post_exact(client, path, data, **extra)
    body = "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in data.items())
    return client.generic(
        "POST", path, body, content_type="application/x-www-form-urlencoded", **extra
    )


def _quoted(text: str) -> str:
    # What a browser would send for text it holds: UTF-8 (a lone surrogate as its 3 bytes).
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _is_bad_service(value: str | None, slug: str) -> bool:
    """A service that names none of the embed's, and that arrives as sent (printable ASCII
    is decoded alike by every path, and no cleaning touches it)."""
    if value is None or value == "" or not (value.isascii() and value.isprintable()):
        return False
    offered = [str(number) for number in range(1, len(SERVICES) + 1)] if slug == "sliding" else []
    return value not in offered


def _token(served: str, slug: str, kind: str) -> str | None:
    """The token the widget served, none, or one it must not accept."""
    if kind == "expired":
        with time_machine.travel(TUESDAY_MORNING - datetime.timedelta(hours=2), tick=False):
            return tokens.issue(slug)
    return {
        "served": served,
        "missing": None,
        "foreign": tokens.issue("garage" if slug == "sliding" else "sliding"),
        "tampered": served[:-1] + ("B" if served.endswith("A") else "A"),
    }.get(kind, kind)  # any other kind is the forged token itself


@given(
    slug=st.sampled_from(sorted(SLUGS)),
    sent=sends(STATE + ["test", "preview"]),
    exact=st.booleans(),
    htmx=st.booleans(),
)
def test_a_step_never_fails_and_never_writes(
    client, embeds, tuesday_morning, slug, sent, exact, htmx
):
    changes, drops, extra = sent
    data = {"service": "1", "day": "2025-01-16"} if slug == "sliding" else {"day": "2025-01-16"}
    data.update(changes)
    for name in drops:
        data.pop(name, None)
    data.update(extra)
    leads, bookings = Lead.objects.count(), Booking.objects.count()

    page = _send(client, "GET", slug, data, exact=exact, htmx=htmx)

    assert page.status_code == 200
    assert (Lead.objects.count(), Booking.objects.count()) == (leads, bookings)
    if _is_bad_service(data.get("service"), slug):
        assert NOT_OFFERED in page.content.decode()


@given(
    slug=st.sampled_from(sorted(SLUGS)),
    token=st.one_of(
        *[st.just("served")] * 3,
        st.sampled_from(["missing", "expired", "foreign", "tampered"]),
        text,  # forged
    ),
    entries=st.fixed_dictionaries(
        {
            "first_name": mostly("Maria", "José Ñúñez", "A" * 80),
            "phone": mostly("3055550142", "(305) 555-0142"),
        }
    ),
    sent=sends(STATE + ENTRIES),
    exact=st.booleans(),
    htmx=st.booleans(),
)
def test_a_submit_never_fails_and_stores_exactly_what_it_confirms(
    client, embeds, tuesday_morning, slug, token, entries, sent, exact, htmx
):
    changes, drops, extra = sent
    served = client.get(SLUGS[slug])  # the Your Info step, as the widget serves it
    data = dict(next(form for form in forms(served) if form.method == "post").inputs)
    data.pop("bk_hp")
    data.update(entries)
    data["token"] = _token(data["token"], slug, token)
    if data["token"] is None:
        del data["token"]
    data.update(changes)
    for name in drops:
        data.pop(name, None)
    data.update(extra)
    leads, bookings = Lead.objects.count(), Booking.objects.count()
    number = next(ADDRESSES)
    address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"

    page = _send(client, "POST", slug, data, exact=exact, htmx=htmx, REMOTE_ADDR=address)

    assert page.status_code < 500
    confirmed = (
        page.status_code == 302 or page.has_header("HX-Redirect") or THANKS in page.content.decode()
    )
    # How the answers split shows with --hypothesis-show-statistics.
    event("confirmed" if confirmed else f"refused ({page.status_code})")
    if confirmed:
        assert Lead.objects.count() == leads + 1
        assert Booking.objects.count() == bookings + 1
        lead = Booking.objects.select_related("lead").latest("pk").lead
        # The service asked for is on the lead, never dropped on the way. (Only NUL and
        # lone surrogates are cleaned away, so its digits are what the server read.)
        asked = "".join(char for char in data.get("service", "") if char in "0123456789")
        if slug == "sliding":
            assert asked in ("1", "2")
            assert lead.service_type == SERVICES[int(asked) - 1]["name"]
        else:
            assert (asked, lead.service_type) == ("", "")
    else:
        assert (Lead.objects.count(), Booking.objects.count()) == (leads, bookings)
    if _is_bad_service(data.get("service"), slug):
        assert not confirmed
        assert NOT_OFFERED in page.content.decode()
