"""Sending the weekly payment reports through the finance SMTP account (CP → Finance
settings): the one module that talks to that server.

Who gets what: each contractor's report goes to its Email (reports), or to the Finance
settings' report recipients when it has none; each partner's report goes to the report
recipients (partners have no email of their own). No address, or no finance SMTP: the
report is skipped, with the reason on its delivery row, and a later run tries again.

Once per week and party: a WeeklyReportDelivery row is claimed (unique per week, kind and
party) before the email goes out and marked sent after, so a second run sends nothing
twice, two concurrent runs split the work, and a run that died half-way resends only
what it never finished (a claim older than STALE_CLAIM is taken over).
"""

import datetime
import logging

from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from crm import mail
from crm.timeline.services import audit
from finance.models import FinanceSettings, WeeklyReportDelivery
from finance.reports import PartyReport, build_weekly_report, render_email, report_xlsx

logger = logging.getLogger(__name__)

STALE_CLAIM = datetime.timedelta(minutes=15)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Kind, State = WeeklyReportDelivery.Kind, WeeklyReportDelivery.State


def finance_connection(finance_settings: FinanceSettings):
    """An SMTP connection with the finance account's credentials (opened on first send)."""
    return mail.connection(finance_settings.smtp_config)


def _claim(
    week_start: datetime.date, kind: str, party: PartyReport, now: datetime.datetime
) -> WeeklyReportDelivery | None:
    """This run's right to send the party's report, or None when it was sent (or another
    run is sending it right now)."""
    delivery, created = WeeklyReportDelivery.objects.get_or_create(
        week_start=week_start,
        kind=kind,
        party_id=party.party_id,
        defaults={"party_name": party.name, "claimed_at": now},
    )
    if created:
        return delivery
    retry = Q(state__in=[State.FAILED, State.SKIPPED]) | Q(
        state=State.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    # One conditional UPDATE is the claim: of two runs only one matches.
    claimed = WeeklyReportDelivery.objects.filter(retry, pk=delivery.pk).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        return None
    delivery.refresh_from_db()
    return delivery


def _finish(delivery: WeeklyReportDelivery, state: str, *, recipients=(), error: str = ""):
    delivery.state, delivery.error = state, error[:2000]
    delivery.recipients = ", ".join(recipients)
    delivery.sent_at = timezone.now() if state == State.SENT else None
    delivery.save(update_fields=["state", "error", "recipients", "sent_at"])


def send_weekly_reports(
    *, week_start: datetime.date, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Email every contractor's and partner's report for the week of `week_start`.

    Counts what this run did: sent, skipped, failed, and already (sent before, or being
    sent by another run). One SMTP failure fails only its own email. Audited once per
    run that claimed anything.
    """
    now = now or timezone.now()
    report = build_weekly_report(week_start)
    finance_settings = FinanceSettings.load()
    fallback = finance_settings.recipients
    parties = [(Kind.CONTRACTOR, party) for party in report.contractors]
    parties += [(Kind.PARTNER, party) for party in report.partners]
    counts = {"sent": 0, "skipped": 0, "failed": 0, "already": 0}

    for kind, party in parties:
        delivery = _claim(report.week_start, kind, party, now)
        if delivery is None:
            counts["already"] += 1
            continue
        recipients = [party.email] if party.email else fallback
        if not finance_settings.is_smtp_configured:
            _finish(delivery, State.SKIPPED, error="Finance SMTP is not set up (CP → Finance).")
            counts["skipped"] += 1
            continue
        if not recipients:
            _finish(
                delivery,
                State.SKIPPED,
                error="No email for this report: add report recipients in CP → Finance.",
            )
            counts["skipped"] += 1
            continue
        subject, text, html = render_email(report, party)
        message = EmailMultiAlternatives(
            subject,
            text,
            from_email=finance_settings.sender,
            to=recipients,
            connection=finance_connection(finance_settings),
        )
        message.attach_alternative(html, "text/html")
        slug = "partner" if kind == Kind.PARTNER else "contractor"
        name = report.file_name.replace(".xlsx", f"-{slug}-{party.party_id}.xlsx")
        message.attach(name, report_xlsx(report.only(party)), XLSX)
        try:
            message.send()
        except Exception as exc:  # SMTP refusals, timeouts, DNS: logged on the row
            logger.exception("Weekly %s report for %s failed", kind, party.name)
            _finish(delivery, State.FAILED, recipients=recipients, error=f"{exc!r}")
            counts["failed"] += 1
            continue
        _finish(delivery, State.SENT, recipients=recipients)
        counts["sent"] += 1

    if counts["sent"] or counts["skipped"] or counts["failed"]:
        audit(
            "finance.reports_sent",
            f"Weekly payment reports, week of {report.label}: {counts['sent']} sent, "
            f"{counts['skipped']} skipped, {counts['failed']} failed",
            metadata={"week_start": report.week_start, **counts},
        )
    return counts
