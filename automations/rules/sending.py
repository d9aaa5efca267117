"""The send step of a fire: a `queued` log row becomes `sent`, `failed` or `skipped`.

Paused since the fire was queued → skipped. Otherwise the template is rendered against the
record as it is now, the recipient resolved (the assigned contractor's contact phone or
report email, the client's phone or email, or the rule's static address) and the message
sent: SMS through the messaging chokepoint from the office's CTM number (it refuses
opted-out numbers), email through the office's SMTP account as plain text. Failures keep
the spec's words ("No CTM number configured for office X", "SMTP not fully configured for
office X", "Recipient … has opted out of SMS", "contractor has no phone").
"""

import datetime
import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from automations.rules import variables
from automations.rules.firing import PAUSED
from automations.rules.models import (
    AutomationSettings,
    Channel,
    LogStatus,
    Recipient,
    Rule,
    RuleLog,
    RuleStamp,
)
from crm import mail
from crm.errors import DomainError
from jobs.models import Job
from leads.models import Lead
from messaging.senders import office_senders
from messaging.services import send_sms

logger = logging.getLogger(__name__)
PURPOSE = "automation"
KEPT_DAYS = 90


class Outcome(Exception):
    """A send that ends before anything went out: its log status and words."""

    def __init__(self, status: str, error: str):
        super().__init__(error)
        self.status, self.error = status, error


def send(log_ids: list[int]) -> int:
    """Send each queued row once (a redelivered task finds it done). Returns rows sent."""
    sent = 0
    for log_id in log_ids:
        try:
            sent += send_one(log_id)
        except Exception:  # one bad row never holds back the batch; it stays queued
            logger.exception("Automation log %s could not be sent", log_id)
    return sent


def send_one(log_id: int) -> bool:
    with transaction.atomic():
        log = (
            RuleLog.objects.select_for_update(of=("self",))
            .select_related("rule")
            .filter(pk=log_id, status=LogStatus.QUEUED)
            .first()
        )
        if log is None:
            return False
        try:
            _deliver(log)
            log.status = LogStatus.SENT
        except Outcome as outcome:
            log.status, log.error = outcome.status, outcome.error
        except Exception as exc:  # a crash is a failure the log shows, never a retry loop
            logger.exception("Automation log %s failed", log_id)
            log.status, log.error = LogStatus.FAILED, f"Unexpected error: {exc}"
        log.save(update_fields=["status", "error", "recipient", "preview"])
        if log.status == LogStatus.SENT:
            Rule.objects.filter(pk=log.rule_id).update(fire_count=F("fire_count") + 1)
        return log.status == LogStatus.SENT


def _deliver(log: RuleLog) -> None:
    if AutomationSettings.load().paused:
        raise Outcome(LogStatus.SKIPPED, PAUSED)
    rule = log.rule
    if rule is None:
        raise Outcome(LogStatus.SKIPPED, "rule deleted")
    if not rule.enabled:
        raise Outcome(LogStatus.SKIPPED, "rule disabled")
    record = _record(log)
    if record is None:
        raise Outcome(LogStatus.SKIPPED, "record deleted")
    is_job = isinstance(record, Job)
    context = variables.job_context(record) if is_job else variables.lead_context(record)
    body = variables.render(rule.body, context)
    subject = variables.render(rule.subject, context)
    log.preview = f"Subject: {subject}\n\n{body}" if rule.channel == Channel.EMAIL else body
    log.recipient = to = _recipient(rule, record)
    try:
        senders = office_senders(record.office, channel=rule.channel)
        if rule.channel == Channel.SMS:
            send_sms(senders.sms_line, to, body, PURPOSE, None)
        else:
            _email(senders.smtp, to, subject, body)
    except DomainError as exc:
        raise Outcome(LogStatus.FAILED, exc.message) from None


def _record(log: RuleLog):
    if log.job_id:
        related = ("office", "job_type", "source", "contractor")
        return Job.objects.select_related(*related).filter(pk=log.job_id).first()
    if log.lead_id:
        return Lead.objects.select_related("office", "source").filter(pk=log.lead_id).first()
    return None


def _recipient(rule: Rule, record) -> str:
    sms = rule.channel == Channel.SMS
    if rule.recipient == Recipient.STATIC:
        return rule.static_to
    if rule.recipient == Recipient.CONTRACTOR:
        contractor = getattr(record, "contractor", None)
        if contractor is None:
            raise Outcome(LogStatus.SKIPPED, "no contractor assigned")
        address = contractor.contact_phone if sms else contractor.report_email
        if not address:
            raise Outcome(LogStatus.FAILED, f"contractor has no {'phone' if sms else 'email'}")
        return address
    address = record.phone if sms else record.email
    if not address:
        raise Outcome(LogStatus.FAILED, f"client has no {'phone' if sms else 'email'}")
    return address


def _email(smtp: mail.SmtpConfig, to: str, subject: str, body: str) -> None:
    message = EmailMessage(subject, body, smtp.sender, [to], connection=mail.connection(smtp))
    try:
        message.send()
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
        raise DomainError(f"Email to {to} failed: {exc}") from None


def purge_old(now=None) -> int:
    """Log rows and event stamps older than 90 days (a time rule's stamps stay: they keep
    its record from firing twice). Returns rows deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEPT_DAYS)
    logs, _ = RuleLog.objects.filter(created_at__lt=cutoff).delete()
    stamps, _ = RuleStamp.objects.filter(created_at__lt=cutoff, key__startswith="event:").delete()
    return logs + stamps
