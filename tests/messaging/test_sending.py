"""The send chokepoint, the reply action and the send task, through fake CTM / Twilio."""

import pytest
from celery import shared_task
from django.core.exceptions import PermissionDenied

from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent
from messaging import services
from messaging.models import Line, Message, PossibleOptOut, Suppression, Thread
from messaging.providers import OutboundFile
from tests.factories import UserFactory
from tests.messaging import fakes

pytestmark = pytest.mark.django_db
CUSTOMER = "+13055550142"


@shared_task
def automation_text(line_id: int, to: str) -> str:
    """An automation's send, as a Celery task: what it reports back."""
    try:
        message = services.send_sms(
            Line.objects.get(pk=line_id), to, "Reminder", "automation", None
        )
    except DomainError as exc:
        return exc.message
    return message.status


def _agent(office):
    return UserFactory(role="agent", offices=[office])


def test_an_automation_text_to_a_suppressed_number_is_refused_from_a_celery_task(line):
    Suppression.objects.create(last10="3055550142", word="STOP")
    refused = automation_text.delay(line.pk, CUSTOMER).result
    assert refused == "Recipient (305) 555-0142 has opted out of SMS"
    assert not Message.objects.exists()


def test_a_pending_possible_opt_out_also_refuses_automation_and_ai(
    line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inbound = services.receive_inbound(
            line, CUSTOMER, "Hi, please don't text me anymore", "", ()
        )
    assert PossibleOptOut.objects.filter(message=inbound, decision="").exists()
    for purpose in ("automation", "ai"):
        with pytest.raises(DomainError, match="has opted out of SMS"):
            services.send_sms(line, CUSTOMER, "Hello", purpose, None)


def test_a_manual_reply_to_a_suppressed_number_goes_out(
    line, office, ctm, django_capture_on_commit_callbacks
):
    Suppression.objects.create(last10="3055550142", word="STOP")
    thread = Thread.objects.create(
        line=line, customer_phone=CUSTOMER, customer_last10="3055550142", office=office
    )
    agent = _agent(office)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply(agent, thread, "Sorry to bother you: your door is ready.")
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == ("sent", fakes.CTM_SENT["id"])
    sent = ctm.requests[-1]
    assert sent.path == "/api/v1/accounts/12345/sms"
    assert sent.basic_auth == ("access-abc", "secret-xyz")
    assert sent.form == {
        "to": CUSTOMER,
        "from": "+13055550100",
        "msg": "Sorry to bother you: your door is ready.",
    }
    assert AuditEvent.objects.filter(kind="sms.replied", actor=agent).exists()
    payload = DomainEvent.objects.get(name="sms.sent").payload
    assert payload == {
        "thread": thread.pk,
        "message": message.pk,
        "lead": None,
        "purpose": "manual",
    }


def test_a_carrier_refusal_leaves_the_message_failed_with_its_words(
    line, office, ctm, django_capture_on_commit_callbacks
):
    ctm.answers[("POST", "/sms")] = fakes.CTM_REFUSED
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_sms(line, CUSTOMER, "Your quote", "automation", None)
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.error == "Carrier rejected: number is a landline"
    assert DomainEvent.objects.get(name="sms.failed").payload["error"] == message.error


def test_an_mms_goes_to_ctm_as_multipart_media(line, ctm, django_capture_on_commit_callbacks):
    picture = OutboundFile("door.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_sms(line, CUSTOMER, "The new door", "manual", None, [picture])
    message.refresh_from_db()
    assert message.status == "sent"
    sent = ctm.requests[-1]
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="media"; filename="door.png"' in sent.body
    assert message.attachments.get().size == 108


def test_the_send_task_runs_once_per_message(line, ctm, django_capture_on_commit_callbacks):
    from messaging.tasks import send_message

    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_sms(line, CUSTOMER, "Once", "automation", None)
    assert send_message.delay(message.pk).result == "skipped"
    assert len(ctm.requests) == 1


def test_twilio_sends_through_the_sdk(line, twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_sms(line, CUSTOMER, "Hello from Twilio", "automation", None)
    message.refresh_from_db()
    assert message.status == "sent" and message.provider_message_id.startswith("SM")
    sent = twilio.requests[-1]
    assert sent.path == "/2010-04-01/Accounts/ACtest/Messages.json"
    assert sent.basic_auth == ("ACtest", "twilio-token")
    assert sent.form == {"To": CUSTOMER, "From": "+13055550100", "Body": "Hello from Twilio"}


def test_a_twilio_error_is_the_failure_text(line, twilio, django_capture_on_commit_callbacks):
    twilio.answers[("POST", "/Messages.json")] = fakes.TWILIO_UNSUBSCRIBED
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_sms(line, CUSTOMER, "Hello", "manual", None)
    message.refresh_from_db()
    assert message.status == "failed"
    assert "Attempt to send to unsubscribed recipient" in message.error


def test_without_credentials_the_console_logs_the_send_as_sent(
    line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_sms(line, CUSTOMER, "Dev text", "manual", None)
    message.refresh_from_db()
    assert message.status == "sent" and message.provider_message_id.startswith("console-")


@pytest.mark.parametrize("area", ["800", "833", "844", "855", "866", "877", "888"])
def test_no_reply_from_a_toll_free_line(office, area, ctm):
    line = Line.objects.create(phone=f"+1{area}5550100", office=office)
    thread = Thread.objects.create(
        line=line, customer_phone=CUSTOMER, customer_last10="3055550142", office=office
    )
    with pytest.raises(PermissionDenied, match="Toll-free number"):
        services.reply(_agent(office), thread, "Hi")
    with pytest.raises(DomainError, match="Toll-free number"):
        services.send_sms(line, CUSTOMER, "Hi", "automation", None)
    assert not Message.objects.exists() and not ctm.requests


def test_no_reply_from_a_no_reply_line(office, ctm):
    line = Line.objects.create(phone="+13055550111", office=office, no_reply=True)
    thread = Thread.objects.create(
        line=line, customer_phone=CUSTOMER, customer_last10="3055550142", office=office
    )
    with pytest.raises(PermissionDenied, match="doesn't accept replies"):
        services.reply(_agent(office), thread, "Hi")
    assert not Message.objects.exists() and not ctm.requests


def test_a_viewer_reads_but_cannot_reply_and_another_office_is_out_of_scope(line, office):
    from crm.permissions import OutOfScope
    from tests.factories import OfficeFactory

    thread = Thread.objects.create(
        line=line, customer_phone=CUSTOMER, customer_last10="3055550142", office=office
    )
    viewer = UserFactory(role="viewer", offices=[office])
    assert Thread.objects.visible_to(viewer).get() == thread
    with pytest.raises(PermissionDenied):
        services.reply(viewer, thread, "Hi")
    stranger = _agent(OfficeFactory(name="Garage"))
    assert not Thread.objects.visible_to(stranger).exists()
    with pytest.raises(OutOfScope):
        services.reply(stranger, thread, "Hi")
    partner = UserFactory(role="partner")
    assert not Thread.objects.visible_to(partner).exists()
    assert not Message.objects.exists()


def test_recent_calls_come_from_ctm(ctm):
    from messaging.models import MessagingSettings
    from messaging.providers.ctm import CtmProvider

    call = {
        "id": 2061234567,
        "direction": "inbound",
        "caller_number": CUSTOMER,
        "tracking_number": "+13055550100",
        "duration": 184,
        "called_at": "2026-12-07 09:14 AM -05:00",
    }
    ctm.answers[("GET", "/calls")] = (200, {"calls": [call], "page": 1, "total_pages": 1})
    calls = CtmProvider.from_settings(MessagingSettings.load()).recent_calls(per_page=10)
    assert calls == [call]
    assert ctm.requests[-1].path == "/api/v1/accounts/12345/calls"
    assert ctm.requests[-1].query == {"per_page": ["10"]}


def test_saving_the_settings_forgets_the_cached_inbound_token(db):
    from messaging.models import MessagingSettings

    stored = MessagingSettings.load()
    assert MessagingSettings.inbound_token() == stored.ctm_inbound_token
    stored.ctm_inbound_token = "a-new-token"
    stored.save()
    assert MessagingSettings.inbound_token() == "a-new-token"


def test_an_empty_text_or_an_unknown_purpose_is_refused(line):
    with pytest.raises(DomainError, match="Write a message"):
        services.send_sms(line, CUSTOMER, "  ", "manual", None)
    with pytest.raises(DomainError, match="Unknown SMS purpose"):
        services.send_sms(line, CUSTOMER, "Hi", "marketing", None)
    assert not Message.objects.exists()
