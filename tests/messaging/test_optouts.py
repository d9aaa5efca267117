"""STOP / opt-out: the keyword table, what an opt-out does, opt-in, HELP, the review list."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase

from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from messaging import keywords, optouts, services
from messaging.models import Message, MessagingSettings, PossibleOptOut, Suppression
from tests.factories import LeadFactory, UserFactory

CUSTOMER = "+13055550142"


@pytest.mark.parametrize(
    ("body", "kind", "word"),
    [
        # The spec's four examples.
        ("STOP", "opt_out", "STOP"),
        ("STOP texting me", "opt_out", "STOP"),
        ("stopwatch?", None, ""),
        ("please stop", "opt_out", "stop"),  # beyond the spec: a short text, on purpose
        # Each word, any case, punctuation ignored.
        *[(word, "opt_out", word) for word in ("Stopall", "unsubscribe", "CANCEL", "end", "Quit")],
        ("REVOKE.", "opt_out", "REVOKE"),
        ("optout!", "opt_out", "optout"),
        ("OPT OUT", "opt_out", "OPT OUT"),
        ("opt-out please", "opt_out", "opt out"),
        ("¡¡STOP!!", "opt_out", "STOP"),
        ("Cancel my texts", "opt_out", "Cancel"),
        ("ok thanks, quit it", "opt_out", "quit"),
        # Whole words only.
        ("Unstoppable deal", None, ""),
        ("Weekend works", None, ""),
        # Longer texts go to review.
        ("I need to cancel Tuesday's appointment", "possible", "cancel"),
        ("Hi, I will be at the end of the street at noon", "possible", "end"),
        ("don't text me", "possible", "dont text"),
        ("Please remove me from your list", "possible", "remove me"),
        ("wrong number", "possible", "wrong number"),
        # Opt-in only as the whole message.
        *[(word, "opt_in", word) for word in ("START", "unstop", "Yes", "subscribe", "OPTIN")],
        ("opt-in", "opt_in", "opt in"),
        ("Yes, see you then", None, ""),
        ("start time is 9?", None, ""),
        ("HELP", "help", "HELP"),
        ("info", "help", "info"),
        ("Need help with the door", None, ""),
        ("", None, ""),
        ("👍", None, ""),
    ],
)
def test_the_keyword_table(body, kind, word):
    verdict = keywords.classify(body)
    assert (verdict.kind, verdict.word) == (kind, word) if kind else verdict is None


def _text(client, body, message_id):
    token = MessagingSettings.load().ctm_inbound_token
    payload = {
        "id": message_id,
        "tracking_number": "+13055550100",
        "caller_number": CUSTOMER,
        "message_body": body,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"/webhook/ctm/sms/{token}", json.dumps(payload), content_type="application/json"
        )


def _confirmations():
    return Message.objects.filter(purpose="confirmation")


@pytest.mark.django_db
def test_stop_suppresses_marks_the_lead_and_confirms_once_across_three_stops(
    client, line, office, ctm, django_capture_on_commit_callbacks
):
    lead = LeadFactory(office=office, phone=CUSTOMER)
    with django_capture_on_commit_callbacks(execute=True):
        for number, body in enumerate(["STOP", "stop", "Stop texting me"]):
            assert _text(client, body, f"m{number}").status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.last10, suppression.word) == ("3055550142", "STOP")
    assert (
        TimelineEntry.objects.filter(
            subject_id=lead.pk, body='🚫 SMS opt-out — recipient replied "STOP"'
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(kind="sms.opted_out").count() == 1
    assert DomainEvent.objects.filter(name="sms.opted_out").count() == 1
    confirmation = _confirmations().get()
    assert (
        confirmation.body == "You're unsubscribed from Sliding texts. Reply START to resubscribe."
    )
    assert confirmation.status == "sent"
    sent = [r.form for r in ctm.requests if r.path.endswith("/sms")]
    assert sent == [{"to": CUSTOMER, "from": "+13055550100", "msg": confirmation.body}]
    with pytest.raises(Exception, match="has opted out of SMS"):
        services.send_sms(line, CUSTOMER, "Your reminder", "automation", None)


@pytest.mark.django_db
def test_on_twilio_no_confirmation_comes_from_us(
    client, line, twilio, django_capture_on_commit_callbacks
):
    from tests.messaging.test_inbound import post_twilio, signed, twilio_fields

    fields = twilio_fields(body="STOP")
    with django_capture_on_commit_callbacks(execute=True):
        post_twilio(client, fields, headers={"X-Twilio-Signature": signed(fields)})
    assert Suppression.objects.filter(last10="3055550142").exists()
    assert not _confirmations().exists() and not twilio.requests


@pytest.mark.django_db
def test_start_as_the_whole_message_opts_back_in(
    client, line, office, django_capture_on_commit_callbacks
):
    lead = LeadFactory(office=office, phone=CUSTOMER)
    with django_capture_on_commit_callbacks(execute=True):
        _text(client, "STOP", "m1")
        _text(client, "Yes, see you then", "m2")
        assert Suppression.objects.exists()
        _text(client, "START", "m3")
    assert not Suppression.objects.exists()
    assert TimelineEntry.objects.filter(subject_id=lead.pk, body="✅ SMS opt-in").exists()
    assert DomainEvent.objects.get(name="sms.opted_in").payload["word"] == "START"
    message = services.send_sms(line, CUSTOMER, "Welcome back", "automation", None)
    assert message.status == "sending"


@pytest.mark.django_db
def test_help_answers_with_the_office_name(client, line, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _text(client, "HELP", "m1")
    answer = Message.objects.get(direction="out")
    assert answer.body == "Sliding. Reply STOP to opt out."
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_possible_opt_out_waits_for_a_decision_and_is_audited(
    client, line, office, django_capture_on_commit_callbacks
):
    lead = LeadFactory(office=office, phone=CUSTOMER)
    _text(client, "I need to cancel Tuesday's appointment", "m1")
    possible = PossibleOptOut.objects.get()
    assert possible.decision == "" and not Suppression.objects.exists()
    admin = UserFactory(role="admin", offices=[office])
    client.force_login(admin)
    page = client.get("/sms/opt-outs")
    assert page.status_code == 200
    assert "I need to cancel Tuesday&#x27;s appointment" in page.content.decode()
    response = client.post(f"/sms/opt-outs/{possible.pk}/decide", {"decision": "not_opt_out"})
    assert response.status_code == 302
    possible.refresh_from_db()
    assert (possible.decision, possible.decided_by) == ("not_opt_out", admin)
    assert AuditEvent.objects.filter(kind="sms.not_opt_out", actor=admin).exists()
    assert not services.is_opted_out(CUSTOMER)

    _text(client, "Look I said it before, don't text me again please", "m2")
    second = PossibleOptOut.objects.get(decision="")
    client.post(f"/sms/opt-outs/{second.pk}/decide", {"decision": "opt_out"})
    assert Suppression.objects.get().word == "dont text"
    assert TimelineEntry.objects.filter(
        subject_id=lead.pk, body__startswith="🚫 SMS opt-out"
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("agent", 403), ("viewer", 403), ("partner", 403), ("finance_admin", 200), ("owner", 200)],
)
def test_the_review_list_is_for_admins(client, office, role, status):
    client.force_login(UserFactory(role=role, offices=[office]))
    assert client.get("/sms/opt-outs").status_code == status


def test_age_counts_business_days():
    zone = ZoneInfo("America/New_York")
    friday = datetime.datetime(2026, 12, 4, 17, 0, tzinfo=zone)
    assert optouts.business_days_since(friday, friday.replace(day=7, hour=9)) == 1
    assert optouts.business_days_since(friday, friday.replace(day=11)) == 5
    assert optouts.business_days_since(friday, friday.replace(hour=23)) == 0


@pytest.mark.django_db
def test_a_review_older_than_five_business_days_shows_red(client, line, office):
    import datetime as dt

    from django.utils import timezone

    thread = line.threads.create(
        customer_phone=CUSTOMER, customer_last10="3055550142", office=office
    )
    old = Message.objects.create(
        thread=thread, direction="in", body="wrong number", status="received"
    )
    PossibleOptOut.objects.create(
        message=old, last10="3055550142", created_at=timezone.now() - dt.timedelta(days=9)
    )
    client.force_login(UserFactory(role="owner"))
    page = client.get("/sms/opt-outs").content.decode()
    assert '<span class="pill pill--off" title="Past 5 business days">' in page
    assert "(305) 555-0142" in page
