import datetime
import json

import pytest

from crm.timeline.models import AuditEvent, TimelineEntry
from leads.models import BookBackCall, InboundLead, Lead, Status
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source
from tests.leads.conftest import SECRET, URL

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def offices():
    return {name: OfficeFactory(name=name) for name in ("General", "Sliding", "Garage")}


def test_a_json_lead_is_stored_with_every_alias(client, post, post_json, offices):
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
    response = post_json(body)
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


def test_form_bodies_and_other_aliases_work_too(client, post, post_json):
    data = {
        "full_name": "Big Lou",
        "phone": "305-555-0100",
        "zip_code": "33101",
        "taskName": "Garage opener",
    }
    response = post(URL + "?source=yelp", data, content_type="form", **SECRET)
    assert response.json()["status"] == "success"
    lead = Lead.objects.get()
    assert (lead.source.key, lead.service_type) == ("yelp", "Garage opener")


def test_source_comes_from_the_body_then_the_query_then_manual(client, post, post_json):
    post_json(
        {"name": "A One", "phone": "3055550101", "source": "google"},
        url=URL + "?source=yelp",
    )
    post_json({"name": "B Two", "phone": "3055550102"}, url=URL + "?source=yelp")
    post_json({"name": "C Three", "phone": "3055550103"})
    assert dict(Lead.objects.values_list("first_name", "source__key")) == {
        "A": "google",
        "B": "yelp",
        "C": "manual",
    }


def test_the_secret_may_come_as_a_query_parameter(client, post, post_json):
    response = post(URL + "?secret=demo-secret", {"name": "Q P", "phone": "3055550104"})
    assert response.status_code == 200
    assert Lead.objects.get().first_name == "Q"


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_WEBHOOK_SECRET": "wrong"}])
def test_a_missing_or_wrong_secret_is_401_and_stores_nothing(client, post, post_json, headers):
    response = client.post(
        URL,
        json.dumps({"name": "X Y", "phone": "3055550105"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401
    assert response.json() == {"status": "error", "error": "Missing or wrong webhook secret."}
    assert not Lead.objects.exists()


def test_facebook_alias_forces_the_source(client, post, post_json):
    post_json({"name": "F B", "phone": "3055550106", "source": "yelp"}, url="/webhook/facebook")
    assert Lead.objects.get().source.key == "facebook"


def test_a_source_token_forces_its_source_and_needs_no_secret(client, post, post_json):
    thumbtack = lead_source("thumbtack")
    response = post(
        f"/webhook/s/{thumbtack.webhook_token}",
        {"name": "T T", "phone": "3055550107", "source": "google"},
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
        ({"name": "Who", "phone": "3055550111", "source": "myspace"}, "Unknown source 'myspace'"),
    ],
)
def test_unusable_input_is_400_with_the_reason_and_stores_nothing(
    client, post, post_json, body, error
):
    response = post_json(body)
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert error in response.json()["error"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]"])
def test_an_unparseable_body_is_400(client, post, post_json, raw):
    response = post(URL, raw=raw, **SECRET)
    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_office_resolution_payload_then_source_default_then_general(
    client, post, post_json, offices
):
    yelp = lead_source("yelp")
    yelp.default_office = offices["Garage"]
    yelp.save()
    post_json({"name": "P Office", "phone": "3055550112", "office": "sliding", "source": "yelp"})
    post_json({"name": "S Default", "phone": "3055550113", "source": "yelp"})
    post_json({"name": "G Fallback", "phone": "3055550114", "source": "google"})
    assert dict(Lead.objects.values_list("first_name", "office__name")) == {
        "P": "Sliding",
        "S": "Garage",
        "G": "General",
    }


def test_the_101st_lead_of_a_source_in_ten_minutes_is_429_and_audited_once(client, post, post_json):
    for number in range(100):
        assert (
            post_json({"name": f"Lead N{number}", "phone": f"305555{number:04d}"}).status_code
            == 200
        )
    response = post_json({"name": "One More", "phone": "3055550199"})
    assert response.status_code == 429
    assert response.json()["status"] == "error"
    post_json({"name": "And Another", "phone": "3055550198"})
    assert AuditEvent.objects.filter(kind="webhook.rate_limited").count() == 1
    # Other sources keep their own budget.
    assert (
        post_json({"name": "Other Source", "phone": "3055550197", "source": "yelp"}).status_code
        == 200
    )


def test_bookback_reactivates_a_known_phone_instead_of_duplicating(
    client, post, post_json, offices
):
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
    inbound = InboundLead.objects.get(pk=response.json()["received"])
    assert (inbound.state, inbound.action, inbound.lead) == ("done", "reactivated", old)
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


def test_a_new_bookback_phone_creates_a_bookback_lead(client, post, post_json):
    post_json({"name": "New Person", "phone": "3055550155", "source": "bookback"})
    lead = Lead.objects.get()
    assert lead.is_bookback and lead.source.key == "bookback"
    assert BookBackCall.objects.filter(lead=lead).exists()


def test_other_sources_never_reactivate(client, post, post_json):
    LeadFactory(phone="+13055550142", phone_last10="3055550142", status=Status.CONVERTED)
    post_json({"name": "Maria Lopez", "phone": "3055550142", "source": "facebook"})
    assert Lead.objects.count() == 2


def test_every_new_lead_emits_lead_created(
    client, post, post_json, django_capture_on_commit_callbacks
):
    from crm.models import DomainEvent

    with django_capture_on_commit_callbacks(execute=True):
        post_json({"name": "Evt Lead", "phone": "3055550156"})
    event = DomainEvent.objects.get(name="lead.created")
    assert event.payload["via"] == "webhook"


def test_an_accepted_lead_is_kept_in_the_inbox_and_answered_before_processing(client):
    response = client.post(
        URL,
        json.dumps({"name": "Queued Quinn", "phone": "3055550160"}),
        content_type="application/json",
        **SECRET,
    )  # no commit callbacks run here: the task has not run yet
    assert response.json()["status"] == "success"
    inbound = InboundLead.objects.get(pk=response.json()["received"])
    assert inbound.state == "pending" and inbound.payload["name"] == "Queued Quinn"
    assert not Lead.objects.exists()


def test_a_lead_that_cannot_be_placed_fails_with_its_reason(client):
    from crm.accounts.models import Office
    from leads.services import process_inbound

    inbound = InboundLead.objects.create(
        source=lead_source("manual"), payload={"name": "Nowhere Nick", "phone": "3055550161"}
    )
    Office.objects.all().delete()  # no office at all: the lead has nowhere to go
    processed = process_inbound(inbound.pk)
    assert processed.state == "failed"
    assert processed.error == "Add an office in CP → Offices before taking leads."
    assert process_inbound(inbound.pk) is None  # a finished row is never taken twice


def test_the_sweep_processes_rows_the_broker_lost(client):
    import datetime

    from django.utils import timezone

    from leads.tasks import sweep_inbound_leads

    inbound = InboundLead.objects.create(
        source=lead_source("manual"),
        payload={"name": "Lost Lucy", "phone": "3055550162"},
        received_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    assert sweep_inbound_leads() == 1
    inbound.refresh_from_db()
    assert inbound.state == "done" and inbound.lead.first_name == "Lost"
    assert sweep_inbound_leads() == 0


def test_a_transient_database_error_is_retried_by_the_task_not_left_for_the_sweep(client):
    from celery.exceptions import Retry
    from django.db import OperationalError, connection

    from leads.tasks import process_inbound_lead

    inbound = InboundLead.objects.create(
        source=lead_source("manual"), payload={"name": "Busy Bea", "phone": "3055550163"}
    )
    failures = []

    def locked_once(execute, sql, params, many, context):
        # The database answers "locked" to the first lead insert, as a busy SQLite does.
        if sql.startswith('INSERT INTO "leads_lead"') and not failures:
            failures.append(sql)
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(locked_once), pytest.raises(Retry) as retry:
        process_inbound_lead.delay(inbound.pk)
    assert failures and retry.value.when == 2  # the broker brings it back in 2 seconds
    inbound.refresh_from_db()
    assert inbound.state == "pending" and inbound.error == "OperationalError: database is locked"
    process_inbound_lead.delay(inbound.pk)  # ...as it does here
    inbound.refresh_from_db()
    assert inbound.state == "done" and inbound.attempts == 2
    assert inbound.lead.first_name == "Busy"
