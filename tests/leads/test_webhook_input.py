"""Hostile and sloppy webhook input: accepted means made, bad input is a JSON 4xx that
stores nothing, optional junk is dropped with a timeline line, never a 5xx."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from crm.timeline.models import TimelineEntry
from leads.models import BookBackCall, InboundLead, Lead
from tests.factories import LeadFactory, OfficeFactory, lead_source
from tests.leads.conftest import SECRET, URL

pytestmark = pytest.mark.django_db
GOOD = {"full_name": "Ana Bell", "phone": "305-555-0142"}


@pytest.fixture(autouse=True)
def offices():
    return {name: OfficeFactory(name=name) for name in ("General", "Sliding")}


def nested(levels: int) -> dict:
    value = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def notes_of(lead: Lead) -> list[str]:
    return list(
        TimelineEntry.objects.filter(subject_type="lead", subject_id=lead.pk)
        .order_by("id")
        .values_list("body", flat=True)
    )


def assert_nothing_stored():
    assert not InboundLead.objects.exists()
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("extra", "note"),
    [
        ({"email": "x" * 300 + "@example.com"}, "email was longer than 254 characters"),
        ({"email": "@"}, 'Email "@" was not valid and was not saved.'),
        ({"email": "a@b"}, 'Email "a@b" was not valid'),
        ({"email": '"><script>alert(1)</script>@x.com'}, "was not valid and was not saved"),
        ({"fee": "9999999.999"}, 'fee "9999999.999" is not an amount between 0 and 9,999,999.99'),
        ({"fee": "1e999999"}, 'fee "1e999999" is not an amount'),
        ({"fee": "lots"}, 'fee "lots" is not an amount'),
        ({"created_time": "0001-01-01T00:00:00-23:59"}, "between 1970 and 2100"),
        ({"created_time": "2024-02-30 10:00"}, 'created_time "2024-02-30 10:00" is not a date'),
        ({"created_time": "2024-13-01 10:00"}, "the time received was used"),
        ({"created_time": "2024-01-01 25:00"}, "the time received was used"),
        ({"created_time": "2024-01-01T10:00:00+99:00"}, "the time received was used"),
        ({"created_time": "2024-01-01T10:00:00+15:00"}, "the time received was used"),
        ({"created_time": "²"}, "the time received was used"),
        ({"created_time": "9" * 40}, "the time received was used"),
        ({"created_time": "yesterday"}, "the time received was used"),
        ({"campaign": "c" * 201}, "campaign was longer than 200 characters and was not saved."),
        ({"campaign": {"id": 7}}, "campaign was a JSON object, not text, and was not saved."),
        ({"zip": [33101]}, "zip was a list, not text"),
        ({"notes": True}, "notes was true/false, not text"),
    ],
)
def test_an_unusable_optional_value_is_dropped_and_the_lead_still_made(post_json, extra, note):
    response = post_json({**GOOD, **extra})

    assert response.status_code == 200
    lead = Lead.objects.get()
    assert lead.phone == "+13055550142" and lead.email == "" and lead.fee is None
    assert lead.campaign == ""
    assert any(note in line for line in notes_of(lead)), notes_of(lead)
    assert abs(lead.received_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert InboundLead.objects.get().state == "done"


def test_good_optional_values_are_kept_without_a_note(post_json):
    post_json(
        {
            **GOOD,
            "email": "ana@example.com",
            "fee": "9999999.99",
            "created_time": "2026-05-01T10:00:00-04:00",
            "campaign": "c" * 200,
            "zip": 33101,
        }
    )

    lead = Lead.objects.get()
    assert lead.email == "ana@example.com" and str(lead.fee) == "9999999.99"
    assert lead.received_at == datetime.datetime(2026, 5, 1, 14, tzinfo=datetime.UTC)
    assert lead.campaign == "c" * 200 and lead.zip_code == "33101"
    assert not any(line.startswith("⚠") for line in notes_of(lead))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"full_name": {"first": "Ana"}, "phone": "3055550142"}, "full_name must be text"),
        ({"name": ["Ana"], "phone": "3055550142"}, "name must be text, not a list"),
        ({"name": True, "phone": "3055550142"}, "name must be text, not true/false"),
        ({"name": 42, "phone": "3055550142"}, "name must be text, not a number"),
        ({"name": "Ana Bell", "phone": 3055550142}, "phone must be text, not a number"),
        ({"name": "Ana Bell", "phone": {"n": 1}}, "phone must be text, not a JSON object"),
        ({"first_name": "A" * 81, "phone": "3055550142"}, "80 characters each"),
        ({"full_name": "Ana " + "B" * 81, "phone": "3055550142"}, "80 characters each"),
    ],
)
def test_a_required_field_of_the_wrong_type_or_too_long_is_refused(post_json, body, error):
    response = post_json(body)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": response.json()["error"]}
    assert error in response.json()["error"]
    assert_nothing_stored()


def test_a_name_of_eighty_characters_each_is_kept_whole(post_json):
    post_json({"first_name": "A" * 80, "last_name": "B" * 80, "phone": "3055550142"})

    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name) == ("A" * 80, "B" * 80)


@pytest.mark.parametrize(
    "name",
    ["Ana\u0000 Bell", "Ana \ud800Bell", "\u0000Ana Bell\u0000"],
    ids=["nul", "lone-surrogate", "nul-edges"],
)
def test_nul_and_lone_surrogates_are_removed_and_the_lead_made(post, name):
    body = json.dumps({**GOOD, "full_name": name, "notes": "a\u0000b", "k\u0000ey": "v"})

    response = post(URL, raw=body.encode(), **SECRET)

    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.notes) == ("Ana", "Bell", "ab")
    assert "key" in InboundLead.objects.get().payload


def test_a_nul_in_a_form_body_is_removed_too(post):
    response = post(URL, {"name": "Ana\x00 Bell", "phone": "3055550142"}, content_type="", **SECRET)

    assert response.status_code == 200
    assert Lead.objects.get().first_name == "Ana"


@pytest.mark.parametrize(
    ("raw", "status", "error"),
    [
        (b"[" * 1000 + b"]" * 1000, 400, "nested deeper than 20 levels"),
        (json.dumps({**GOOD, "x": nested(20)}), 400, "nested deeper than 20 levels"),
        (b'{"full_name": "Ana Bell", "phone": "3055550142", "fee": NaN}', 400, "NaN"),
        (b'{"full_name": "Ana Bell", "phone": "3055550142", "n": 1e400}', 400, "out of range"),
        (b'{"full_name": "Ana Bell", "phone": "3055550142", "n": ' + b"9" * 5000 + b"}", 400, ""),
        (b"\xff\xfe{", 400, "not valid JSON"),
        (json.dumps({**GOOD, "notes": "n" * 300_000}), 413, "larger than 256 KB"),
    ],
    ids=["deep-list", "deep-object", "nan", "infinity", "huge-int", "bad-bytes", "too-big"],
)
def test_an_unusable_body_is_a_json_error_and_stores_nothing(post, raw, status, error):
    response = post(URL, raw=raw, **SECRET)

    assert response.status_code == status
    assert response.json()["status"] == "error"
    assert error in response.json()["error"]
    assert_nothing_stored()


def test_a_javascript_recording_link_is_never_stored_or_linked(post_json, client, owner):
    bookback = {**GOOD, "source": "bookback", "recording_url": "javascript:alert(document.domain)"}

    post_json(bookback)

    lead = Lead.objects.get()
    assert BookBackCall.objects.get().recording_url == ""
    assert any("is not an http(s) link" in line for line in notes_of(lead))


def test_a_javascript_link_already_stored_is_shown_as_text_not_linked(client, owner):
    lead = LeadFactory(source=lead_source("bookback"))
    BookBackCall.objects.create(lead=lead, recording_url="javascript:alert(1)")
    BookBackCall.objects.create(lead=lead, recording_url="https://calls.example.com/r/1.mp3")
    client.force_login(owner)

    page = client.get(f"/leads/{lead.pk}").content.decode()

    assert 'href="javascript:' not in page
    assert 'href="https://calls.example.com/r/1.mp3"' in page


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/webhook/leads", 405),
        ("put", "/webhook/facebook", 405),
        ("get", "/webhook/s/abc", 405),
        ("post", "/webhook/nothing-here", 404),
        ("post", "/webhook/leads/", 404),
        ("post", "/webhook/s/a%00b", 404),
        ("post", "/webhook/s/" + "t" * 500, 404),
    ],
)
def test_every_error_on_a_webhook_path_is_json(client, method, url, status):
    response = getattr(client, method)(url, **SECRET)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "error"
    if status == 405:
        assert response["Allow"] == "POST"


def test_refused_posts_do_not_use_up_the_source_s_window(post_json):
    for number in range(100):
        assert post_json({"name": f"Bad{number}", "phone": "123"}).status_code == 400

    assert post_json(GOOD).status_code == 200


def test_the_window_slides_one_hundred_leads_in_any_ten_minutes(post_json):
    start = timezone.now().replace(minute=9, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):  # just before a 10-minute boundary
        for number in range(100):
            assert post_json({"name": f"A{number}", "phone": "3055550142"}).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):  # just after
        refused = post_json(GOOD)
    with time_machine.travel(start + datetime.timedelta(minutes=10, seconds=1), tick=False):
        accepted = post_json(GOOD)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "480"  # the first lead leaves the window in 8 minutes
    assert "try again in 480 seconds" in refused.json()["error"]
    assert accepted.status_code == 200
    assert InboundLead.objects.count() == 101
