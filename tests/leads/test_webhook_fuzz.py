"""Property: whatever a partner (or an attacker) posts to an inbound webhook, the answer is
never a 5xx; a success always ends in a lead (or a BookBack reactivation) once the task
has run; an error always leaves the database as it was. `make fuzz` runs it long."""

import json
import urllib.parse

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from leads.models import InboundLead, Lead
from leads.services.ingest import ALIASES
from tests.factories import OfficeFactory, lead_source
from tests.leads.conftest import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Every unicode category, lone surrogates included; NUL and friends are frequent.
any_text = st.text(st.characters(exclude_categories=()), max_size=40) | st.sampled_from(
    ["", "\x00", "a\x00b", "\ud800", "²", "0001-01-01T00:00:00-23:59", "2024-02-30 10:00",
     "javascript:alert(1)", "@", "x" * 300 + "@example.com", "9999999.999", "1e999999"]
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=25,
)
plausible = st.fixed_dictionaries(
    {"full_name": st.sampled_from(["Ana Bell", "Bo", " ", "Ana " + "B" * 90])},
    optional={
        "phone": st.sampled_from(["305-555-0142", "(786) 555-0199", "123", "+1 305 555 0100"]),
        "source": st.sampled_from(["facebook", "google", "bookback", "yelp", "nope"]),
        "email": st.sampled_from(["ana@example.com", "@", "a@b"]),
    },
)
keys = st.sampled_from([alias for aliases in ALIASES.values() for alias in aliases]) | any_text
payloads = st.builds(
    lambda base, extra: {**base, **extra}, plausible, st.dictionaries(keys, json_values, max_size=6)
)


@st.composite
def requests(draw):
    """(path suffix kind, content type, body bytes)."""
    endpoint = draw(st.sampled_from(["leads", "facebook", "token"]))
    shape = draw(st.sampled_from(["json", "json", "form", "raw"]))
    if shape == "json":
        body = json.dumps(draw(payloads | json_values)).encode()
        return endpoint, "application/json", body
    if shape == "form":
        fields = draw(st.dictionaries(keys, any_text, max_size=6))
        body = urllib.parse.urlencode(
            {
                key.encode("utf-8", "surrogatepass"): value.encode("utf-8", "surrogatepass")
                for key, value in fields.items()
            }  # fmt: skip
        )
        return endpoint, "application/x-www-form-urlencoded", body.encode()
    return endpoint, draw(st.sampled_from(["application/json", "text/plain"])), draw(st.binary())


@pytest.fixture
def setting(db):
    OfficeFactory(name="General")
    return {"token": lead_source("yelp").webhook_token}


def _snapshot() -> tuple[int, int]:
    return InboundLead.objects.count(), Lead.objects.count()


@given(request=requests())
def test_no_input_gets_a_server_error_or_a_false_success(
    setting, django_capture_on_commit_callbacks, request
):
    endpoint, content_type, body = request
    # Each example starts with an empty window, so the rate limit never masks a result.
    InboundLead.objects.all().delete()
    url = f"/webhook/s/{setting['token']}" if endpoint == "token" else f"/webhook/{endpoint}"
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(url, body, content_type=content_type, **SECRET)

    event(f"answered {response.status_code}")
    assert response.status_code < 500, response.content
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    if response.status_code == 200:
        inbound = InboundLead.objects.get(pk=answer["received"])
        assert inbound.state == "done", inbound.error
        assert inbound.lead is not None and inbound.action in ("created", "reactivated")
    else:
        assert answer["status"] == "error" and answer["error"]
        assert _snapshot() == before
