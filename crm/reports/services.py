"""Emailed reports: the owner's settings, the scheduled sends, the test send.

Schedule, on the business clock (America/New_York), each report covering whole days:
daily at 11 PM (that day), weekly on Sunday at 11 PM (Monday–Sunday), monthly on the
1st at 11 PM (the previous calendar month). The beat tick runs every 15 minutes and
sends what is due; a report stays due for RETRY_FOR after its send time, so a failed
send is tried again by the next ticks, and turning a report on sends nothing from before.

Each (kind, window, recipient) is one ReportDelivery row, claimed before the email goes
out and marked sent or failed after: a second tick sends nothing twice, two ticks at
once split the work, a send that died half-way is taken over after STALE_CLAIM.
Mail goes through the system SMTP settings (EMAIL_*), one message per recipient.
"""

import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from crm.errors import DomainError
from crm.permissions import check
from crm.reports.email import render_report_email
from crm.reports.models import ReportDelivery, ReportEmailSettings
from crm.reports.periods import EMAIL_KINDS, Period, business_zone, email_window, period_for
from crm.reports.queries import report_for_everyone
from crm.timeline.services import audit

logger = logging.getLogger(__name__)

SEND_HOUR = 23
RETRY_FOR = datetime.timedelta(hours=6)
STALE_CLAIM = datetime.timedelta(minutes=15)
LAST_SENDS = 30
Status = ReportDelivery.Status
TITLES = {"daily": "Daily report", "weekly": "Weekly report", "monthly": "Monthly report"}


def parse_recipients(text: str) -> list[str]:
    """Addresses from lines, commas or semicolons, lower-cased and de-duplicated in
    order. Raises DomainError naming every address that is not one."""
    addresses, bad = [], []
    for item in re.split(r"[\s,;]+", text or ""):
        if not item:
            continue
        try:
            validate_email(item)
        except ValidationError:
            bad.append(item)
            continue
        if item.lower() not in addresses:
            addresses.append(item.lower())
    if bad:
        raise DomainError(f"Not an email address: {', '.join(bad)}. Nothing was saved.")
    return addresses


@transaction.atomic
def save_email_settings(
    *, actor, recipients: str, send_daily: bool, send_weekly: bool, send_monthly: bool
) -> ReportEmailSettings:
    """Owner: set who gets the emailed reports and which ones are sent.

    Every recipient must be an email address, else DomainError and nothing changes.
    Audited ("reports.email_settings_changed") when anything changed.
    """
    check(actor, "reports.email")
    addresses = parse_recipients(recipients)
    if (send_daily or send_weekly or send_monthly) and not addresses:
        raise DomainError("Add at least one recipient to send reports to.")
    current = ReportEmailSettings.objects.select_for_update().filter(pk=1).first()
    current = current or ReportEmailSettings.load()
    new = {
        "recipients": "\n".join(addresses),
        "send_daily": send_daily,
        "send_weekly": send_weekly,
        "send_monthly": send_monthly,
    }
    old = {name: getattr(current, name) for name in new}
    if old == new:
        return current
    for name, value in new.items():
        setattr(current, name, value)
    current.save()
    kinds = [kind for kind in EMAIL_KINDS if new[f"send_{kind}"]]
    audit(
        "reports.email_settings_changed",
        f"Emailed reports: {', '.join(kinds) or 'none'} to {len(addresses)} recipient(s)",
        actor=actor,
        metadata={"old": {**old, "recipients": old["recipients"].splitlines()},
                  "new": {**new, "recipients": addresses}},
    )  # fmt: skip
    return current


def last_send_time(kind: str, now: datetime.datetime) -> datetime.datetime:
    """The latest scheduled send of `kind` at or before `now` (11 PM New York)."""
    local = now.astimezone(business_zone())
    today_at = datetime.datetime.combine(
        local.date(), datetime.time(SEND_HOUR), tzinfo=business_zone()
    )
    if kind == "daily":
        candidate = today_at
        step = datetime.timedelta(days=1)
    elif kind == "weekly":
        candidate = today_at - datetime.timedelta(days=(local.weekday() - 6) % 7)
        step = datetime.timedelta(days=7)
    else:
        candidate = today_at.replace(day=1)
        if candidate > local:  # before this month's send: the previous month's 1st
            previous = candidate.date() - datetime.timedelta(days=1)
            return candidate.replace(year=previous.year, month=previous.month)
        return candidate
    return candidate if candidate <= local else candidate - step


def due_windows(now: datetime.datetime, email_settings: ReportEmailSettings) -> list[Period]:
    """The windows of the switched-on reports whose send time passed under RETRY_FOR ago."""
    due = []
    for kind in EMAIL_KINDS:
        if not email_settings.sends(kind):
            continue
        sent_at = last_send_time(kind, now)
        if now - sent_at < RETRY_FOR:
            due.append(email_window(kind, sent_at))
    return due


def _claim(window: Period, recipient: str, now: datetime.datetime) -> ReportDelivery | None:
    """This tick's right to send `window` to `recipient`; None when it was sent (or
    another tick is sending it now)."""
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(
                kind=window.preset,
                window_start=window.first_day,
                window_end=window.last_day,
                recipient=recipient,
                claimed_at=now,
            )
    except IntegrityError:
        pass  # the row exists: take it over only if it failed or its sender died
    retry = Q(status=Status.FAILED) | Q(status=Status.PENDING, claimed_at__lt=now - STALE_CLAIM)
    rows = ReportDelivery.objects.filter(
        retry, kind=window.preset, window_start=window.first_day, recipient=recipient
    )
    # One conditional UPDATE is the claim: of two ticks only one matches.
    if not rows.update(status=Status.PENDING, claimed_at=now, attempts=F("attempts") + 1):
        return None
    return ReportDelivery.objects.get(
        kind=window.preset, window_start=window.first_day, recipient=recipient
    )


def _title(window: Period) -> str:
    return f"{TITLES[window.preset]} · {window.label}"


def _send(subject: str, text: str, html: str, recipient: str) -> None:
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient], html_message=html)


def send_due_reports(now: datetime.datetime | None = None) -> int:
    """Email every due report to every recipient not yet sent it; returns how many
    emails went out. A failed send is recorded on its row (shown in CP) and retried by
    the next tick. The system acts: no capability check."""
    now = now or timezone.now()
    email_settings = ReportEmailSettings.load()
    recipients = email_settings.recipient_list
    if not recipients:
        return 0
    sent = 0
    for window in due_windows(now, email_settings):
        claimed = [row for row in (_claim(window, address, now) for address in recipients) if row]
        if not claimed:
            continue
        title = _title(window)
        text, html = render_report_email(report_for_everyone(window), title=title)
        for delivery in claimed:
            try:
                _send(title, text, html, delivery.recipient)
            except Exception as error:  # SMTP refusals, timeouts, DNS: all recorded
                logger.warning("Report email to %s failed: %s", delivery.recipient, error)
                delivery.status, delivery.error = Status.FAILED, str(error)[:2000] or repr(error)
                delivery.save(update_fields=["status", "error"])
                continue
            delivery.status, delivery.error, delivery.sent_at = Status.SENT, "", timezone.now()
            delivery.save(update_fields=["status", "error", "sent_at"])
            sent += 1
    return sent


def send_test_report(actor) -> None:
    """Owner: email today's report so far to the owner's own address, now.

    Raises DomainError when the mail server refuses it (the reason included)."""
    check(actor, "reports.email")
    today = period_for("today")
    title = f"Test report · {today.label}"
    text, html = render_report_email(report_for_everyone(today), title=title)
    try:
        _send(title, text, html, actor.email)
    except Exception as error:  # shown to the owner as it is
        raise DomainError(f"The test email could not be sent: {error}") from error


def last_sends():
    """The latest deliveries, newest first, for CP → 📧 Email Settings."""
    return ReportDelivery.objects.all()[:LAST_SENDS]
