"""Inbound texts through the CTM and Twilio webhooks: auth, threads, lead links, dedupe."""

import json
import threading

import pytest
from django.db import connection
from django.test import TestCase
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from crm.models import DomainEvent
from messaging import services
from messaging.models import InboundSms, Line, Message, MessagingSettings, Thread
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
CUSTOMER = "+13055550142"


def ctm_payload(body="Is Tuesday still good?", message_id="8842301", **extra) -> dict:
    """CTM's text-message activity as its webhook posts it."""
    return {
        "id": message_id,
        "account_id": 12345,
        "direction": "inbound",
        "tracking_number": "+13055550100",
        "caller_number": CUSTOMER,
        "message_body": body,
        "called_at": "2026-12-07 09:14 AM -05:00",
        **extra,
    }


def post_ctm(client, payload, token=None):
    """The webhook's answer, after its commit: the worker's step runs (Celery is inline)."""
    token = token or MessagingSettings.load().ctm_inbound_token
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/webhook/ctm/sms/{token}", json.dumps(payload), content_type="application/json"
        )


def post_twilio(client, fields, **headers):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/webhook/twilio/sms", fields, **headers)


def test_a_ctm_text_makes_a_thread_linked_to_the_newest_open_lead_of_the_office(
    client, line, office
):
    LeadFactory(office=office, phone=CUSTOMER)
    newest = LeadFactory(office=office, phone=CUSTOMER)
    LeadFactory(office=office, phone=CUSTOMER, is_archived=True)
    LeadFactory(office=OfficeFactory(name="Garage"), phone=CUSTOMER)
    response = post_ctm(client, ctm_payload())
    assert response.status_code == 200
    assert response.json() == {"status": "success", "stored": True}
    thread = Thread.objects.get()
    assert (thread.line, thread.customer_phone, thread.office) == (line, CUSTOMER, office)
    assert thread.lead == newest
    assert (thread.unresolved_count, thread.last_direction) == (1, "in")
    assert thread.last_snippet == "Is Tuesday still good?"
    payload = DomainEvent.objects.get(name="sms.received").payload
    assert payload["lead"] == newest.pk and payload["from_phone"] == CUSTOMER


def test_threads_are_keyed_by_our_line_and_the_customer(client, line, office):
    post_ctm(client, ctm_payload(message_id="1"))
    post_ctm(client, ctm_payload(message_id="2", caller_number="(305) 555-0199"))
    post_ctm(client, ctm_payload(message_id="3", tracking_number="+13055550101"))
    post_ctm(client, ctm_payload(message_id="4"))
    assert Thread.objects.count() == 3
    assert Thread.objects.get(line=line, customer_phone=CUSTOMER).unresolved_count == 2
    # A number CTM has but the sync hasn't brought yet arrives without an office.
    assert Line.objects.get(phone="+13055550101").office is None


def test_a_retried_delivery_is_stored_once(client, line):
    assert post_ctm(client, ctm_payload()).json()["stored"] is True
    assert post_ctm(client, ctm_payload()).json() == {"status": "success", "stored": False}
    assert Message.objects.count() == 1


def test_a_wrong_ctm_token_is_403_and_stores_nothing(client, line):
    MessagingSettings.load()
    response = post_ctm(client, ctm_payload(), token="not-the-token")
    assert response.status_code == 403
    assert response.json() == {"status": "error", "error": "Wrong webhook token."}
    assert not Message.objects.exists()


def test_ctm_reports_of_our_own_sends_are_ignored(client, line):
    assert post_ctm(client, ctm_payload(direction="outbound")).json()["stored"] is False
    assert not Message.objects.exists()


def test_resolve_unread_and_a_new_text_reopens(client, line, office):
    post_ctm(client, ctm_payload(message_id="1"))
    thread = Thread.objects.get()
    agent = UserFactory(role="agent", offices=[office])
    thread = services.mark_resolved(agent, thread)
    assert (thread.unresolved_count, thread.resolved_at is not None) == (0, True)
    thread = services.mark_unread(agent, thread)
    assert thread.marked_unread
    post_ctm(client, ctm_payload(message_id="2", message_body="Hello?"))
    thread.refresh_from_db()
    assert (thread.unresolved_count, thread.resolved_at) == (1, None)


def test_a_sender_that_is_no_phone_number_is_refused_and_nothing_stored(client, line):
    response = post_ctm(client, ctm_payload(caller_number="12"))
    assert response.status_code == 400 and "The sender" in response.json()["error"]
    assert not InboundSms.objects.exists()


def test_the_sweep_processes_texts_whose_task_was_lost(line):
    import datetime

    from django.utils import timezone

    from messaging.tasks import process_inbound_sms, sweep_inbound_sms

    row = InboundSms.objects.create(
        provider="ctm",
        line_phone="+13055550100",
        from_phone=CUSTOMER,
        body="Anyone there?",
        provider_message_id="lost-1",
        received_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    InboundSms.objects.create(
        provider="ctm", line_phone="+13055550100", from_phone=CUSTOMER, body="Just now"
    )
    assert sweep_inbound_sms.delay().result == 1
    row.refresh_from_db()
    assert row.state == "done" and row.message.body == "Anyone there?"
    assert sweep_inbound_sms.delay().result == 0
    assert process_inbound_sms.delay(row.pk).result == "skipped"
    assert Message.objects.filter(body="Anyone there?").count() == 1


# --- Twilio ------------------------------------------------------------------------------

TWILIO_URL = "http://testserver/webhook/twilio/sms"


def twilio_fields(sid="SM0123456789abcdef0123456789abcdef", body="Hi there") -> dict:
    return {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": "+13055550100",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "ACtest",
        "From": CUSTOMER,
        "ApiVersion": "2010-04-01",
    }


def signed(fields, url=TWILIO_URL, token="twilio-token") -> str:
    return RequestValidator(token).compute_signature(url, fields)


@pytest.fixture
def twilio_on(settings):
    settings.SMS_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "ACtest", "twilio-token"


def test_a_signed_twilio_text_is_stored(client, line, twilio_on):
    fields = twilio_fields()
    response = post_twilio(client, fields, headers={"X-Twilio-Signature": signed(fields)})
    assert response.status_code == 200 and b"<Response>" in response.content
    message = Message.objects.get()
    assert (message.body, message.provider_message_id) == ("Hi there", fields["MessageSid"])


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "wrong-token"])
def test_a_twilio_post_without_a_valid_signature_is_403_and_stores_nothing(
    client, line, twilio_on, signature
):
    fields = twilio_fields()
    if signature == "wrong-token":
        signature = signed(fields, token="someone-else")
    headers = {"X-Twilio-Signature": signature} if signature else {}
    response = post_twilio(client, fields, headers=headers)
    assert response.status_code == 403
    assert response.json()["status"] == "error"
    assert not Message.objects.exists()


def test_behind_the_proxy_the_signature_covers_the_public_https_url(
    client, line, twilio_on, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["crm.example.com"]
    fields = twilio_fields()
    public = "https://crm.example.com/webhook/twilio/sms"
    response = post_twilio(
        client,
        fields,
        headers={"X-Twilio-Signature": signed(fields, url=public), "X-Forwarded-Proto": "https"},
        HTTP_HOST="crm.example.com",
    )
    assert response.status_code == 200
    # Signed for the inside (http) URL, it is refused: Twilio signed the public one.
    other = twilio_fields(sid="SM2")
    response = post_twilio(
        client,
        other,
        headers={"X-Twilio-Signature": signed(other), "X-Forwarded-Proto": "https"},
        HTTP_HOST="crm.example.com",
    )
    assert response.status_code == 403
    assert Message.objects.count() == 1


def test_a_twilio_mms_brings_its_picture(client, line, twilio):
    from tests.messaging import fakes

    picture = b"\xff\xd8\xff\xe0" + b"JFIF" * 100
    media = "/2010-04-01/Accounts/ACtest/Messages/MM1/Media/ME1"
    twilio.answers[("GET", "/Media/ME1")] = (200, picture)
    base = fakes.url_of(twilio.server)
    fields = {
        **twilio_fields(body="Here's the broken track"),
        "NumMedia": "2",
        "MediaUrl0": base + media,
        "MediaContentType0": "image/jpeg",
        # A link off Twilio's API is never fetched with our credentials.
        "MediaUrl1": "http://169.254.169.254/latest/meta-data",
        "MediaContentType1": "image/png",
    }
    response = post_twilio(client, fields, headers={"X-Twilio-Signature": signed(fields)})
    assert response.status_code == 200
    attachment = Message.objects.get().attachments.get()
    assert (attachment.name, attachment.content_type) == ("ME1", "image/jpeg")
    assert bytes(attachment.content) == picture
    fetched = [r for r in twilio.requests if r.method == "GET"]
    assert [r.path for r in fetched] == [media]
    assert fetched[0].basic_auth == ("ACtest", "twilio-token")


# --- Concurrency (Postgres) --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_delivered_twice_at_once_is_stored_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers: the race needs Postgres")
    office = OfficeFactory(name="Sliding")
    line = Line.objects.create(phone="+13055550100", office=office)
    barrier, results = threading.Barrier(4), []

    def deliver():
        try:
            barrier.wait()
            results.append(services.receive_inbound(line, CUSTOMER, "Same text", "CTM-dup-1"))
        finally:
            connection.close()

    workers = [threading.Thread(target=deliver) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert Message.objects.filter(provider_message_id="CTM-dup-1").count() == 1
    assert Thread.objects.count() == 1
    assert sum(result is not None for result in results) == 1


@pytest.mark.django_db(transaction=True)
def test_a_webhook_delivery_posted_twice_at_once_is_accepted_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers: the race needs Postgres")
    from messaging import inbound

    barrier, results = threading.Barrier(4), []

    def accept():
        try:
            barrier.wait()
            results.append(
                inbound.accept(
                    provider="ctm",
                    line_phone="+13055550100",
                    from_phone=CUSTOMER,
                    body="Same text",
                    provider_message_id="CTM-dup-2",
                )
            )
        finally:
            connection.close()

    workers = [threading.Thread(target=accept) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert InboundSms.objects.filter(provider_message_id="CTM-dup-2").count() == 1
    assert sum(result is not None for result in results) == 1


# --- Property tests: any body, no 5xx; a success is stored --------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
ctm_bodies = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=70) | st.integers(),
        "tracking_number": st.sampled_from(["+13055550100", "3055550100", "", "12"]) | json_values,
        "caller_number": st.sampled_from([CUSTOMER, "(786) 555-0101", "x", ""]) | json_values,
        "message_body": st.text(max_size=200) | json_values,
        "direction": st.sampled_from(["inbound", "outbound", ""]) | json_values,
    },
)


@given(payload=ctm_bodies)
def test_ctm_webhook_never_errors_and_a_success_is_stored(client, line, payload):
    before = InboundSms.objects.count(), Message.objects.count()
    response = post_ctm(client, payload)
    assert response.status_code < 500
    stored = response.status_code == 200 and response.json()["stored"]
    assert InboundSms.objects.count() == before[0] + stored
    if stored:  # the worker's step ran: a Message, or the reason it could not be made
        row = InboundSms.objects.latest("pk")
        assert (row.state, row.message_id is not None) in (("done", True), ("failed", False))
    else:
        assert Message.objects.count() == before[1]


@given(
    fields=st.dictionaries(
        st.sampled_from(["To", "From", "Body", "MessageSid", "NumMedia"]),
        st.text(max_size=60),
        max_size=5,
    )
)
def test_twilio_webhook_never_errors_and_a_success_is_stored(client, line, twilio_on, fields):
    before = Message.objects.count()
    response = post_twilio(client, fields, headers={"X-Twilio-Signature": signed(fields)})
    assert response.status_code < 500
    if response.status_code != 200:
        assert Message.objects.count() == before
