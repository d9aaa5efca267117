import datetime
import json

import pytest

from crm.timeline.models import AuditEvent, TimelineEntry
from leads.models import BookBackCall, Lead, Status
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

pytestmark = pytest.mark.django_db
SECRET = {"HTTP_X_WEBHOOK_SECRET": "demo-secret"}
URL = "/webhook/leads"


@pytest.fixture(autouse=True)
def offices():
    return {name: OfficeFactory(name=name) for name in ("General", "Sliding", "Garage")}


def post_json(client, body, url=URL, **extra):
    return client.post(
        url, json.dumps(body), content_type="application/json", **{**SECRET, **extra}
    )


def test_a_json_lead_is_stored_with_every_alias(client, offices):
    body = {
        "fullName": "Maria de la Cruz",
        "phone_number": "(305) 555-0142",
        "email": "maria@example.com",
        "zip": "90210",
        "leadId": "fb-991",
        "adName": "Spring promo",
        "adset_name": "Homeowners 35+",
        "campaign_name": "Doors Q2",
        "partner_name": "GDQ",
        "fee": "$42.50",
        "what_can_we_do_for_you_today": "Fix a sliding door",
        "how_soon_do_you_need_the_service": "This week",
        "created_time": "2026-05-01T14:30:00Z",
        "message": "Gate code 1234",
        "source": "angi",
    }
    response = post_json(client, body)
    assert response.status_code == 200
    assert response.json()["status"] == "success"
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name) == ("Maria", "de la Cruz")
    assert lead.phone == "+13055550142" and lead.phone_last10 == "3055550142"
    assert (lead.zip_code, lead.city, lead.state, lead.timezone, lead.metro) == (
        "90210",
        "Beverly Hills",
        "CA",
        "America/Los_Angeles",
        "Los Angeles, CA",
    )
    assert (lead.fb_lead_id, lead.ad_name, lead.adset_name, lead.campaign) == (
        "fb-991",
        "Spring promo",
        "Homeowners 35+",
        "Doors Q2",
    )
    assert str(lead.fee) == "42.50" and lead.partner_name == "GDQ"
    assert (lead.service_type, lead.how_soon, lead.notes) == (
        "Fix a sliding door",
        "This week",
        "Gate code 1234",
    )
    assert lead.received_at == datetime.datetime(2026, 5, 1, 14, 30, tzinfo=datetime.UTC)
    assert lead.source.key == "angi" and lead.status == Status.FRESH
    assert lead.office == offices["General"]
    assert AuditEvent.objects.get(kind="lead.created").metadata["via"] == "webhook"


def test_form_bodies_and_other_aliases_work_too(client):
    data = {
        "full_name": "Big Lou",
        "phone": "305-555-0100",
        "zip_code": "33101",
        "taskName": "Garage opener",
    }
    response = client.post(URL + "?source=yelp", data, **SECRET)
    assert response.json()["status"] == "success"
    lead = Lead.objects.get()
    assert (lead.source.key, lead.service_type) == ("yelp", "Garage opener")


def test_source_comes_from_the_body_then_the_query_then_manual(client):
    post_json(
        client,
        {"name": "A One", "phone": "3055550101", "source": "google"},
        url=URL + "?source=yelp",
    )
    post_json(client, {"name": "B Two", "phone": "3055550102"}, url=URL + "?source=yelp")
    post_json(client, {"name": "C Three", "phone": "3055550103"})
    assert dict(Lead.objects.values_list("first_name", "source__key")) == {
        "A": "google",
        "B": "yelp",
        "C": "manual",
    }


def test_the_secret_may_come_as_a_query_parameter(client):
    response = client.post(
        URL + "?secret=demo-secret",
        json.dumps({"name": "Q P", "phone": "3055550104"}),
        content_type="application/json",
    )
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_WEBHOOK_SECRET": "wrong"}])
def test_a_missing_or_wrong_secret_is_401_and_stores_nothing(client, headers):
    response = client.post(
        URL,
        json.dumps({"name": "X Y", "phone": "3055550105"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401
    assert response.json() == {"status": "error", "error": "Missing or wrong webhook secret."}
    assert not Lead.objects.exists()


def test_facebook_alias_forces_the_source(client):
    post_json(
        client, {"name": "F B", "phone": "3055550106", "source": "yelp"}, url="/webhook/facebook"
    )
    assert Lead.objects.get().source.key == "facebook"


def test_a_source_token_forces_its_source_and_needs_no_secret(client):
    thumbtack = lead_source("thumbtack")
    response = client.post(
        f"/webhook/s/{thumbtack.webhook_token}",
        json.dumps({"name": "T T", "phone": "3055550107", "source": "google"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Lead.objects.get().source == thumbtack
    assert client.post("/webhook/s/not-a-token", {"name": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"phone": "3055550108"}, "A lead needs a name"),
        ({"name": "No Phone"}, "A lead needs a valid phone"),
        ({"name": "Fake Phone", "phone": "123-123-1234"}, "A lead needs a valid phone"),
        ({"name": "Bad Fee", "phone": "3055550109", "fee": "lots"}, "fee 'lots' is not an amount."),
        ({"name": "Nan Fee", "phone": "3055550109", "fee": "NaN"}, "fee 'NaN' is not an amount."),
        (
            {"name": "Bad Time", "phone": "3055550110", "created_time": "yesterday"},
            "created_time 'yesterday'",
        ),
        ({"name": "Who", "phone": "3055550111", "source": "myspace"}, "Unknown source 'myspace'"),
    ],
)
def test_unusable_input_is_400_with_the_reason_and_stores_nothing(client, body, error):
    response = post_json(client, body)
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert error in response.json()["error"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]"])
def test_an_unparseable_body_is_400(client, raw):
    response = client.post(URL, raw, content_type="application/json", **SECRET)
    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_office_resolution_payload_then_source_default_then_general(client, offices):
    yelp = lead_source("yelp")
    yelp.default_office = offices["Garage"]
    yelp.save()
    post_json(
        client, {"name": "P Office", "phone": "3055550112", "office": "sliding", "source": "yelp"}
    )
    post_json(client, {"name": "S Default", "phone": "3055550113", "source": "yelp"})
    post_json(client, {"name": "G Fallback", "phone": "3055550114", "source": "google"})
    assert dict(Lead.objects.values_list("first_name", "office__name")) == {
        "P": "Sliding",
        "S": "Garage",
        "G": "General",
    }


def test_the_101st_lead_of_a_source_in_ten_minutes_is_429_and_audited_once(client):
    for number in range(100):
        assert (
            post_json(
                client, {"name": f"Lead N{number}", "phone": f"305555{number:04d}"}
            ).status_code
            == 200
        )
    response = post_json(client, {"name": "One More", "phone": "3055550199"})
    assert response.status_code == 429
    assert response.json()["status"] == "error"
    post_json(client, {"name": "And Another", "phone": "3055550198"})
    assert AuditEvent.objects.filter(kind="webhook.rate_limited").count() == 1
    # Other sources keep their own budget.
    assert (
        post_json(
            client, {"name": "Other Source", "phone": "3055550197", "source": "yelp"}
        ).status_code
        == 200
    )


def test_bookback_reactivates_a_known_phone_instead_of_duplicating(client, offices):
    agent = UserFactory(offices=[offices["Sliding"]])
    old = LeadFactory(
        office=offices["Sliding"],
        source=lead_source("yelp"),
        phone="+13055550142",
        phone_last10="3055550142",
        status=Status.CONVERTED,
        call_count=6,
        notes="Wants a quote",
        is_archived=True,
    )
    old.claimed_by = agent
    old.save()
    response = post_json(
        client,
        {
            "name": "Maria Lopez",
            "phone": "+1 (305) 555-0142",
            "source": "bookback",
            "notes": "Ready to book next week",
            "playbook_score": "8/10",
            "objection": "price",
            "recording_url": "https://calls.example.com/r/77",
        },
    )
    assert response.json() == {"status": "success", "action": "reactivated", "lead_id": old.pk}
    assert Lead.objects.count() == 1
    old.refresh_from_db()
    assert (old.status, old.call_count, old.urgency, old.claimed_by) == (
        Status.FRESH,
        0,
        "high",
        None,
    )
    assert old.is_bookback and not old.is_archived
    assert old.notes.startswith("Wants a quote\n\n— BookBack AI · ")
    assert old.notes.endswith("ET —\nReady to book next week")
    assert (
        TimelineEntry.objects.for_subject(old)
        .filter(body="⚡ Reactivated by BookBack AI — was Converted (Yelp)")
        .exists()
    )
    call = BookBackCall.objects.get()
    assert (call.playbook_score, call.objection, call.recording_url) == (
        "8/10",
        "price",
        "https://calls.example.com/r/77",
    )
    assert AuditEvent.objects.filter(kind="lead.reactivated").exists()


def test_a_new_bookback_phone_creates_a_bookback_lead(client):
    post_json(client, {"name": "New Person", "phone": "3055550155", "source": "bookback"})
    lead = Lead.objects.get()
    assert lead.is_bookback and lead.source.key == "bookback"
    assert BookBackCall.objects.filter(lead=lead).exists()


def test_other_sources_never_reactivate(client):
    LeadFactory(phone="+13055550142", phone_last10="3055550142", status=Status.CONVERTED)
    post_json(client, {"name": "Maria Lopez", "phone": "3055550142", "source": "facebook"})
    assert Lead.objects.count() == 2


def test_every_new_lead_emits_lead_created(client, django_capture_on_commit_callbacks):
    from crm.models import DomainEvent

    with django_capture_on_commit_callbacks(execute=True):
        post_json(client, {"name": "Evt Lead", "phone": "3055550156"})
    event = DomainEvent.objects.get(name="lead.created")
    assert event.payload["via"] == "webhook"
