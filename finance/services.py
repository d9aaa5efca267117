"""Every action that writes finance data: a job's money, its paid flags, finance-cancel,
and CP → Finance settings. Views, AI tools and tasks call these; nothing else writes them.

Job actions need finance.edit (owner, finance_admin); viewers read only. The caller
scopes the job to the user (`finance.queries.finance_jobs`) before acting on it.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from crm import events
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.services import audit, record
from finance.models import FinanceSettings
from finance.money import job_payout, money
from jobs.models import FINANCE_STATUSES, Job
from jobs.services.common import emit_for, locked

MONEY_FIELDS = {
    "closing_total": "Closing",
    "parts_total": "Parts",
    "deposit_amount": "Deposit",
    "profit_share": "Profit %",
}
MAX_AMOUNT = Decimal("99999999.99")  # DecimalField(max_digits=10, decimal_places=2)
PARTIES = {"contractor": "Contractor", "partner": "Partner"}


class PartsOverClosing(DomainError):
    """Parts above the closing total: the view asks the user to confirm, then calls the
    action again with `confirm_parts_over_closing=True`."""


def _parse(field: str, value) -> Decimal:
    """`value` ("1,250.50", "$80", Decimal, int) as a Decimal with at most 2 places."""
    label = MONEY_FIELDS[field]
    text = str(value if value is not None else "").strip().replace(",", "").replace("$", "")
    text = text.rstrip("%") if field == "profit_share" else text
    if not text:
        raise DomainError(f"Enter the {label.lower()}.")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise DomainError(f"The {label.lower()} must be a number, like 1250.00.") from exc
    if not amount.is_finite():
        raise DomainError(f"The {label.lower()} must be a number, like 1250.00.")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(f"The {label.lower()} has at most 2 decimal places.")
    if amount < 0:
        raise DomainError(f"The {label.lower()} can't be negative.")
    if field == "profit_share" and amount > 100:
        raise DomainError("The profit % must be between 0 and 100.")
    if amount > MAX_AMOUNT:
        raise DomainError(f"The {label.lower()} is too large.")
    return amount.quantize(Decimal("0.01"))


def _shown(field: str, value) -> str:
    if value is None:
        return "—"
    if field == "profit_share":
        return f"{value.normalize():f}%"
    return money(value)


def _check_on_finance(job: Job) -> None:
    if job.is_archived:
        raise DomainError("The job is archived: restore it first.")
    if job.status not in FINANCE_STATUSES:
        raise DomainError("Only Deposit and Done jobs are on the Finance dashboard.")


@transaction.atomic
def update_money(
    *, job: Job, actor, field: str, value, confirm_parts_over_closing: bool = False
) -> Job:
    """Save one of Closing, Parts, Deposit or Profit % from the finance side panel.

    Needs finance.edit and a live Deposit/Done job. The amount is a non-negative number
    with at most 2 decimal places, a profit % at most 100; parts above the closing total
    raise PartsOverClosing unless confirmed. Bad input raises DomainError and changes
    nothing. Writes a timeline line "old → new" (with the payout it moves) and an audit
    entry; emits `job.money_changed`.
    """
    require(actor, "finance.edit", obj=job)
    if field not in MONEY_FIELDS:
        raise DomainError("That amount can't be edited here.")
    amount = _parse(field, value)
    job = locked(job)
    _check_on_finance(job)
    old = getattr(job, field)
    if old == amount:
        return job
    closing = amount if field == "closing_total" else job.closing_total
    parts = amount if field == "parts_total" else job.parts_total
    if (
        field in ("closing_total", "parts_total")
        and None not in (closing, parts)
        and parts > closing
        and not confirm_parts_over_closing
    ):
        raise PartsOverClosing(
            f"Parts ({money(parts)}) are more than the closing total ({money(closing)}): "
            "the contractor payout goes negative. Confirm to save anyway."
        )
    old_payout = job_payout(job)
    setattr(job, field, amount)
    job.save(update_fields=[field, "updated_at"])
    new_payout = job_payout(job)

    label = MONEY_FIELDS[field]
    change = f"{label}: {_shown(field, old)} → {_shown(field, amount)}"
    body = f"💰 {change}"
    if new_payout != old_payout:
        body += f" · payout {money(old_payout)} → {money(new_payout)}"
    data = {"field": field, "old": old, "new": amount, "payout": [old_payout, new_payout]}
    record(job, kind="sys", body=body, actor=actor, data=data, staff_only=True)
    audit(
        "job.money_changed",
        f"{job.display_id} {job.full_name}: {change}",
        actor=actor,
        office=job.office,
        metadata={"job_id": job.pk, "number": job.number, **data},
    )
    emit_for(job, "job.money_changed", actor=actor, field=field, old=old, new=amount)
    return job


def _set_paid(job: Job, actor, *, party: str, paid: bool) -> Job:
    require(actor, "finance.edit", obj=job)
    job = locked(job)
    _check_on_finance(job)
    if party == "contractor" and paid and job.contractor_id is None:
        raise DomainError("The job has no contractor to pay.")
    if (getattr(job, f"{party}_paid_at") is not None) == paid:
        return job  # already so: no second stamp, no second line
    setattr(job, f"{party}_paid_at", timezone.now() if paid else None)
    setattr(job, f"{party}_paid_by", actor if paid else None)
    fields = [f"{party}_paid_at", f"{party}_paid_by", "updated_at"]
    if party == "partner":
        job.partner_paid_auto = False
        fields.append("partner_paid_auto")
    job.save(update_fields=fields)

    if party == "partner":
        who = job.source.name
    else:  # a paid contractor may since have been taken off the job
        who = job.contractor.name if job.contractor else "no contractor"
    label = PARTIES[party]
    body = f"✓ {label} paid ({who})" if paid else f"↺ {label} paid cleared ({who})"
    record(
        job,
        kind="sys",
        body=body,
        actor=actor,
        data={"party": party, "paid": paid},
        staff_only=True,
    )
    audit(
        "job.paid_changed",
        f"{job.display_id} {job.full_name}: {body[2:]}",
        actor=actor,
        office=job.office,
        metadata={"job_id": job.pk, "number": job.number, "party": party, "paid": paid},
    )
    emit_for(job, "job.paid_changed", actor=actor, party=party, paid=paid, auto=False)
    return job


@transaction.atomic
def set_contractor_paid(*, job: Job, actor, paid: bool) -> Job:
    """Mark (or clear) the contractor paid, stamped with who and when.

    Needs finance.edit, a live Deposit/Done job and, to mark, a contractor. Marking a
    paid job again changes nothing. Timeline + audit; emits `job.paid_changed`.
    """
    return _set_paid(job, actor, party="contractor", paid=paid)


@transaction.atomic
def set_partner_paid(*, job: Job, actor, paid: bool) -> Job:
    """Mark (or clear) the partner paid, stamped with who and when (a person's mark
    replaces an "Auto" one). Needs finance.edit and a live Deposit/Done job. Timeline +
    audit; emits `job.paid_changed`."""
    return _set_paid(job, actor, party="partner", paid=paid)


def stamp_house_brand_paid(job: Job, *, actor=None) -> bool:
    """House-brand auto-K: a job just moved to Done whose partner keeps 100% is stamped
    partner-paid by nobody, "Auto". Returns whether it stamped.

    Called by the `job.status_changed` handler (finance/handlers.py) on the job it holds
    locked (with `source` loaded). A job already partner-paid keeps its stamp.
    Timeline + audit (as System); emits `job.paid_changed` with auto=True. The handler
    runs as the system (no actor); a person would need finance.edit.
    """
    require(actor, "finance.edit", obj=job)
    if job.source.keep_rate != 100 or job.partner_paid_at is not None:
        return False
    job.partner_paid_at, job.partner_paid_by, job.partner_paid_auto = timezone.now(), None, True
    job.save(update_fields=["partner_paid_at", "partner_paid_by", "partner_paid_auto"])
    body = f"✓ Partner paid — Auto ({job.source.name} keeps 100%)"
    record(
        job,
        kind="sys",
        body=body,
        data={"party": "partner", "paid": True, "auto": True},
        staff_only=True,
    )
    audit(
        "job.paid_changed",
        f"{job.display_id} {job.full_name}: partner paid automatically (house brand)",
        office=job.office,
        metadata={"job_id": job.pk, "number": job.number, "party": "partner", "auto": True},
    )
    emit_for(job, "job.paid_changed", party="partner", paid=True, auto=True)
    return True


def finance_cancel_fields(job: Job) -> dict[str, str]:
    """What the finance-cancel webhook payload adds to the job's Workiz-shape payload."""
    by = job.finance_cancelled_by
    return {
        "FinanceCancelReason": job.finance_cancel_reason,
        "FinanceCancelNote": job.finance_cancel_note,
        "FinanceCancelledAt": job.finance_cancelled_at.isoformat()
        if job.finance_cancelled_at
        else "",
        "FinanceCancelledBy": (by.full_name or by.email) if by else "System",
    }


@transaction.atomic
def finance_cancel(*, job: Job, actor, reason: str, note: str = "") -> Job:
    """Mark a Done/Deposit job finance-cancelled (chargeback, refund, dispute).

    The job's real status stays as it is. Needs finance.edit and a reason; the note is
    optional. Raises DomainError for any other status or a job already cancelled.
    Timeline + audit; emits `job.finance_cancelled`, whose payload carries the
    FinanceCancel* fields the Finance-Cancelled Jobs webhook adds.
    """
    require(actor, "finance.edit", obj=job)
    reason = " ".join((reason or "").split())
    note = (note or "").strip()
    if not reason:
        raise DomainError("Give the reason for the finance-cancel (chargeback, refund...).")
    if len(reason) > 200:
        raise DomainError("Keep the reason under 200 characters; put the rest in the note.")
    job = locked(job)
    _check_on_finance(job)
    if job.finance_cancelled_at is not None:
        raise DomainError("The job is already finance-cancelled.")
    job.finance_cancelled_at, job.finance_cancelled_by = timezone.now(), actor
    job.finance_cancel_reason, job.finance_cancel_note = reason, note
    job.save(
        update_fields=[
            "finance_cancelled_at",
            "finance_cancelled_by",
            "finance_cancel_reason",
            "finance_cancel_note",
            "updated_at",
        ]
    )
    body = f"💸 Finance-cancelled: {reason}" + (f" · note: {note}" if note else "")
    record(
        job,
        kind="sys",
        body=body,
        actor=actor,
        data={"reason": reason, "note": note},
        staff_only=True,
    )
    audit(
        "job.finance_cancelled",
        f"{job.display_id} {job.full_name} finance-cancelled: {reason}",
        actor=actor,
        office=job.office,
        metadata={"job_id": job.pk, "number": job.number, "reason": reason, "note": note},
    )
    emit_for(
        job,
        "job.finance_cancelled",
        actor=actor,
        status=job.status,
        **finance_cancel_fields(job),
    )
    return job


@transaction.atomic
def undo_finance_cancel(*, job: Job, actor) -> Job:
    """↺ Undo cancel: the job counts again. Needs finance.edit; raises DomainError when the
    job isn't finance-cancelled. Timeline + audit; emits `job.finance_cancel_undone`."""
    require(actor, "finance.edit", obj=job)
    job = locked(job)
    if job.finance_cancelled_at is None:
        raise DomainError("The job isn't finance-cancelled.")
    reason = job.finance_cancel_reason
    job.finance_cancelled_at = job.finance_cancelled_by = None
    job.finance_cancel_reason = job.finance_cancel_note = ""
    job.save(
        update_fields=[
            "finance_cancelled_at",
            "finance_cancelled_by",
            "finance_cancel_reason",
            "finance_cancel_note",
            "updated_at",
        ]
    )
    body = f"↺ Finance-cancel undone (was: {reason})"
    record(job, kind="sys", body=body, actor=actor, data={"reason": reason}, staff_only=True)
    audit(
        "job.finance_cancel_undone",
        f"{job.display_id} {job.full_name}: finance-cancel undone",
        actor=actor,
        office=job.office,
        metadata={"job_id": job.pk, "number": job.number, "reason": reason},
    )
    emit_for(job, "job.finance_cancel_undone", actor=actor)
    return job


# CP → Finance settings ----------------------------------------------------------------


def _emails(value, label: str) -> list[str]:
    """Emails from a list, or from text with one per line (or comma-separated)."""
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    emails = [email.strip().lower() for email in value or () if email and email.strip()]
    for email in emails:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(f"{email} in {label} is not an email address.") from exc
    return list(dict.fromkeys(emails))


@transaction.atomic
def save_finance_settings(
    *,
    actor,
    smtp_host: str = "",
    smtp_port: int = 587,
    smtp_username: str = "",
    smtp_password: str | None = None,
    smtp_use_tls: bool = True,
    smtp_use_ssl: bool = False,
    from_email: str = "",
    from_name: str = "",
    report_recipients: str | list[str] = "",
    outbound_ctm_number=None,
) -> FinanceSettings:
    """Save CP → Finance settings (owner). A blank password keeps the stored one.

    Raises DomainError for a bad host, port or email, or both TLS and SSL. The outbound
    CTM number is one of CP → CTM Numbers (a messaging Line, or None). Audited with the
    names of the fields that changed (never the password itself); emits
    `finance_settings.saved`.
    """
    require(actor, "controlpanel.access")
    smtp_host = (smtp_host or "").strip()
    if any(char.isspace() for char in smtp_host):
        raise DomainError("The SMTP host is a name like smtp.gmail.com, without spaces.")
    try:
        smtp_port = int(smtp_port)
    except (TypeError, ValueError) as exc:
        raise DomainError("The SMTP port is a number, usually 587 or 465.") from exc
    if not 1 <= smtp_port <= 65535:
        raise DomainError("The SMTP port is a number, usually 587 or 465.")
    if smtp_use_tls and smtp_use_ssl:
        raise DomainError("Pick STARTTLS (port 587) or SSL (port 465), not both.")
    from_email = (from_email or "").strip().lower()
    if from_email:
        _emails([from_email], "From email")
    elif smtp_host:
        raise DomainError("Enter the From email the reports are sent from.")
    recipients = _emails(report_recipients, "Report recipients")

    finance_settings = FinanceSettings.objects.select_for_update().get(pk=FinanceSettings.load().pk)
    values = {
        "smtp_host": smtp_host,
        "smtp_port": smtp_port,
        "smtp_username": (smtp_username or "").strip(),
        "smtp_use_tls": bool(smtp_use_tls),
        "smtp_use_ssl": bool(smtp_use_ssl),
        "from_email": from_email,
        "from_name": " ".join((from_name or "").split()),
        "report_recipients": "\n".join(recipients),
        "outbound_ctm_number": outbound_ctm_number,
    }
    if smtp_password:
        values["smtp_password"] = smtp_password
    changed = [name for name, value in values.items() if getattr(finance_settings, name) != value]
    if not changed:
        return finance_settings
    for name in changed:
        setattr(finance_settings, name, values[name])
    finance_settings.save()
    audit(
        "finance.settings_changed",
        "Finance settings changed: " + ", ".join(changed),
        actor=actor,
        metadata={"changed": changed},
    )
    events.emit("finance_settings.saved", actor=actor, finance_settings=changed)
    return finance_settings
