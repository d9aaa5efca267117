"""The send step: each recipient kind, each of the spec's error texts, the opt-out refusal
through the messaging chokepoint, plain-text email through the office's SMTP account, and
Pause All stopping sends already queued."""

import datetime

import pytest
from django.utils import timezone

from automations.rules import firing, sending, services
from automations.rules.models import LogStatus, Rule, RuleLog
from crm.models import DomainEvent
from messaging.models import Message, Suppression
from tests.automations.rules.conftest import texts_to
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def rule(**fields) -> Rule:
    values = {"name": "R", "trigger": "job_created", "recipient": "client", "channel": "sms"}
    return Rule.objects.create(**{"body": "Hi {{client.firstName}}", **values, **fields})


def fire(record, capture, *, name="job.created") -> RuleLog:
    key = "job" if name.startswith("job") else "lead"
    payload = {key: record.pk, "snapshot": {}}
    if key == "lead":
        payload |= {"source": record.source_id, "via": "manual"}
    event = DomainEvent.objects.create(name=name, office=record.office, payload=payload)
    with capture(execute=True):
        firing.on_event(event)
    return RuleLog.objects.order_by("-id").first()


def outcome(log: RuleLog) -> tuple[str, str, str]:
    log.refresh_from_db()
    return log.status, log.recipient, log.error


def test_the_client_gets_the_text_on_the_jobs_phone(
    sms, garage_job, django_capture_on_commit_callbacks
):
    rule()
    log = fire(garage_job(), django_capture_on_commit_callbacks)
    assert outcome(log) == ("sent", "+13055550142", "")
    assert log.preview == "Hi Emily"
    assert texts_to(sms, "+13055550142") == 1


def test_a_static_number_gets_it(sms, garage_job, django_capture_on_commit_callbacks):
    rule(recipient="static", static_to="+13055550111")
    assert outcome(fire(garage_job(), django_capture_on_commit_callbacks))[:2] == (
        "sent",
        "+13055550111",
    )


def test_no_contractor_is_skipped_and_one_without_a_phone_fails(
    sms, garage_job, mike, django_capture_on_commit_callbacks
):
    rule(recipient="contractor")
    log = fire(garage_job(contractor=None), django_capture_on_commit_callbacks)
    assert outcome(log) == ("skipped", "", "no contractor assigned")
    mike.contact_phone = ""
    mike.save()
    log = fire(garage_job(), django_capture_on_commit_callbacks)
    assert outcome(log) == ("failed", "", "contractor has no phone")
    assert not Message.objects.exists()


def test_an_office_without_a_ctm_number_fails_with_the_specs_words(
    sms, sliding, garage_job, django_capture_on_commit_callbacks
):
    made = rule()
    log = fire(garage_job(office=sliding), django_capture_on_commit_callbacks)
    assert outcome(log) == ("failed", "+13055550142", "No CTM number configured for office Sliding")
    made.refresh_from_db()
    assert made.fire_count == 0


def test_an_opted_out_number_is_refused_by_the_chokepoint(
    sms, garage_job, django_capture_on_commit_callbacks
):
    Suppression.objects.create(last10="3055550142", word="STOP")
    rule()
    log = fire(garage_job(), django_capture_on_commit_callbacks)
    assert outcome(log) == (
        "failed",
        "+13055550142",
        "Recipient (305) 555-0142 has opted out of SMS",
    )
    assert texts_to(sms, "+13055550142") == 0


def test_email_goes_through_the_offices_smtp_as_plain_text(
    mailbox, garage_job, django_capture_on_commit_callbacks
):
    rule(channel="email", subject="Job {{job.displayId}}", body="Hello {{client.fullName}}")
    job = garage_job()
    log = fire(job, django_capture_on_commit_callbacks)
    assert outcome(log) == ("sent", "emily@example.com", "")
    assert log.preview == f"Subject: Job {job.display_id}\n\nHello Emily Harrison"
    (message,) = mailbox.messages
    assert message["Subject"] == f"Job {job.display_id}"
    assert message["From"] == "Garage Doors <desk@garage.example>"
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Hello Emily Harrison"


def test_email_without_smtp_fails_with_the_specs_words(
    sliding, garage_job, django_capture_on_commit_callbacks
):
    rule(channel="email", subject="Hi", body="Hello")
    log = fire(garage_job(office=sliding), django_capture_on_commit_callbacks)
    assert outcome(log) == (
        "failed",
        "emily@example.com",
        "SMTP not fully configured for office Sliding",
    )


def test_a_client_without_email_and_a_contractor_without_one_fail(
    mailbox, garage_job, mike, django_capture_on_commit_callbacks
):
    rule(channel="email", subject="Hi", body="Hello")
    log = fire(garage_job(email=""), django_capture_on_commit_callbacks)
    assert outcome(log) == ("failed", "", "client has no email")
    Rule.objects.all().delete()
    rule(channel="email", subject="Hi", body="Hello", recipient="contractor")
    mike.report_email = ""
    mike.save()
    log = fire(garage_job(), django_capture_on_commit_callbacks)
    assert outcome(log) == ("failed", "", "contractor has no email")


def test_a_lead_rule_texts_the_leads_phone(sms, garage, django_capture_on_commit_callbacks):
    rule(trigger="lead_created", body="Thanks {{lead.firstName}}")
    lead = LeadFactory(office=garage, first_name="Rosa", phone="+13055550199")
    log = fire(lead, django_capture_on_commit_callbacks, name="lead.created")
    assert outcome(log) == ("sent", "+13055550199", "")
    assert (log.preview, log.lead, log.record_label) == ("Thanks Rosa", lead, lead.full_name)


def test_pause_all_skips_the_event_and_sends_already_queued(
    sms, owner, garage_job, django_capture_on_commit_callbacks
):
    rule()
    job = garage_job()
    event = DomainEvent.objects.create(
        name="job.created", office=job.office, payload={"job": job.pk, "snapshot": {}}
    )
    queued = firing.on_event(event)  # no commit yet: the row waits for its send task
    assert RuleLog.objects.get(pk=queued[0]).status == LogStatus.QUEUED
    services.pause_all(actor=owner)
    assert sending.send(queued) == 0
    assert outcome(RuleLog.objects.get(pk=queued[0])) == ("skipped", "", "paused")
    log = fire(garage_job(), django_capture_on_commit_callbacks)
    assert outcome(log) == ("skipped", "", "paused")
    assert texts_to(sms, "+13055550142") == 0


def test_a_redelivered_send_task_sends_nothing_more(
    sms, garage_job, django_capture_on_commit_callbacks
):
    made = rule()
    log = fire(garage_job(), django_capture_on_commit_callbacks)
    assert sending.send([log.pk]) == 0
    assert texts_to(sms, "+13055550142") == 1
    made.refresh_from_db()
    assert made.fire_count == 1


def test_a_deleted_or_disabled_rule_sends_nothing_it_had_queued(garage_job):
    made = rule()
    job = garage_job()
    event = DomainEvent.objects.create(
        name="job.created", office=job.office, payload={"job": job.pk, "snapshot": {}}
    )
    (log_id,) = firing.on_event(event)
    Rule.objects.filter(pk=made.pk).update(enabled=False)
    sending.send([log_id])
    assert outcome(RuleLog.objects.get(pk=log_id)) == ("skipped", "", "rule disabled")


def test_the_tick_sends_again_what_a_lost_send_task_left_queued(
    sms, garage_job, django_capture_on_commit_callbacks
):
    rule()
    job = garage_job()
    event = DomainEvent.objects.create(
        name="job.created", office=job.office, payload={"job": job.pk, "snapshot": {}}
    )
    (lost,) = firing.on_event(event)  # its after-commit send never runs (no commit here)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        firing.tick(now)  # too recent: its task may still be on its way
    assert RuleLog.objects.get(pk=lost).status == LogStatus.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        firing.tick(now + datetime.timedelta(minutes=11))
    assert outcome(RuleLog.objects.get(pk=lost)) == ("sent", "+13055550142", "")
    with django_capture_on_commit_callbacks(execute=True):
        firing.tick(now + datetime.timedelta(minutes=16))
    assert texts_to(sms, "+13055550142") == 1
