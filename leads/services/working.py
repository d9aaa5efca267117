"""Working a lead: claim, status, call attempts, inline edits, Workiz number."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from crm import events, phones
from crm.archiving import set_archived
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit, record
from leads.calling_hours import adjust_to_calling_hours
from leads.models import CALLBACK_STATUSES, Lead, Status
from leads.services.creating import apply_zip, emit_for, record_claim


def _locked(lead: Lead) -> Lead:
    # Only the lead: locking its source and office too would queue every action (and every
    # new lead's foreign-key check) behind one another, and deadlock with the counters.
    return (
        Lead.objects.select_for_update(of=("self",))
        .select_related("source", "office")
        .get(pk=lead.pk)
    )


@transaction.atomic
def claim_lead(*, lead: Lead, actor) -> Lead:
    """Stamp `actor` as the claimer of a Fresh lead (informational: a later claim wins).

    Raises DomainError unless the lead is Fresh. Timeline "Lead claimed by <name>".
    """
    check(actor, "leads.edit", obj=lead)
    # Locked so two claims in the same second land in order; both stay on the timeline.
    lead = _locked(lead)
    if lead.status != Status.FRESH:
        raise DomainError("Only a Fresh lead can be claimed.")
    lead.claimed_by, lead.claimed_at = actor, timezone.now()
    lead.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    record_claim(lead, actor)
    emit_for(lead, "lead.claimed", actor=actor)
    return lead


@transaction.atomic
def change_status(
    *,
    lead: Lead,
    actor,
    status: str,
    next_contact_at: datetime.datetime | None = None,
    reason: str = "",
) -> Lead:
    """Move a lead to `status` with what that status needs.

    Not Yet Scheduled / Needs a Follow Up / Consultation Call need a next contact in the
    future (`next_snooze_slot` is the one to offer); Irrelevant needs a reason. Leaving
    Fresh clears the claim. Writes the timeline and audit, emits `lead.status_changed`
    (Irrelevant carries the reason).
    """
    check(actor, "leads.edit", obj=lead)
    if status not in Status.values:
        raise DomainError("Pick a status from the list.")
    reason = (reason or "").strip()
    if status in CALLBACK_STATUSES and next_contact_at is None:
        raise DomainError(f"{Status(status).label} needs the date and time of the next contact.")
    if status in CALLBACK_STATUSES and next_contact_at <= timezone.now():
        raise DomainError("That time has passed: pick a next contact in the future.")
    if status == Status.IRRELEVANT and not reason:
        raise DomainError("Say why the lead is irrelevant.")
    lead = _locked(lead)
    old = lead.status
    if old == status and status not in CALLBACK_STATUSES:
        return lead
    lead.status = status
    lead.next_contact_at = next_contact_at if status in CALLBACK_STATUSES else None
    lead.irrelevant_reason = reason if status == Status.IRRELEVANT else ""
    if status != Status.FRESH:
        lead.claimed_by, lead.claimed_at = None, None
    lead.save()
    body = f"Status: {Status(old).label} → {Status(status).label}"
    if lead.next_contact_at:
        local = lead.next_contact_at.astimezone(lead.local_zone)
        when = f"{local:%b %-d, %-I:%M %p} {local.tzname()}"
        body = f"Next contact moved to {when}" if old == status else f"{body} · next contact {when}"
    if reason:
        body += f" · reason: {reason}"
    record(lead, kind="status", body=body, actor=actor, data={"old": old, "new": status})
    audit(
        "lead.status_changed",
        f"{lead.full_name}: {Status(old).label} → {Status(status).label}",
        actor=actor,
        office=lead.office,
        metadata={"lead_id": lead.pk, "old": old, "new": status, "reason": reason},
    )
    emit_for(lead, "lead.status_changed", actor=actor, old=old, new=status, reason=reason)
    return lead


def next_snooze_slot(lead: Lead, now: datetime.datetime | None = None) -> datetime.datetime:
    """The callback time to offer when an agent picks a callback status.

    now + the source's snooze step for the lead's next attempt (the last step once the
    sequence is used up; a day without one), moved into the lead's calling window and
    rounded up to the whole minute the picker shows, so it is still ahead of `now`.
    """
    now = now or timezone.now()
    steps = lead.source.snooze_steps or []
    minutes = steps[min(lead.call_count, len(steps) - 1)] if steps else 24 * 60
    when = now + datetime.timedelta(minutes=minutes)
    if when.second or when.microsecond:
        when = when.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return adjust_to_calling_hours(lead, when)


class SequenceFinished(DomainError):
    """The source's snooze sequence is used up: offer Irrelevant instead of a snooze."""


@transaction.atomic
def log_call_attempt(*, lead: Lead, actor) -> Lead:
    """ "Tried to Call": count the attempt and snooze by the source's sequence.

    next_contact = now + the step for this attempt, moved into the lead's calling
    window. Once every step is used, raises SequenceFinished and changes nothing.
    """
    check(actor, "leads.edit", obj=lead)
    lead = _locked(lead)
    if lead.status not in (Status.FRESH, *CALLBACK_STATUSES):
        raise DomainError("Call attempts are logged on open leads only.")
    steps = lead.source.snooze_steps or []
    if lead.call_count >= len(steps):
        raise SequenceFinished(
            f"All {len(steps)} attempts of the {lead.source.label} sequence are used. "
            "Mark the lead Irrelevant, or set the next contact by hand."
        )
    minutes = steps[lead.call_count]
    lead.call_count += 1
    lead.next_contact_at = adjust_to_calling_hours(
        lead, timezone.now() + datetime.timedelta(minutes=minutes)
    )
    lead.save(update_fields=["call_count", "next_contact_at", "updated_at"])
    local = lead.next_contact_at.astimezone(lead.local_zone)
    record(
        lead,
        kind="call",
        body=f"📞 Tried to call (attempt {lead.call_count}/{len(steps)}) · next try "
        f"{local:%b %-d, %-I:%M %p} {local.tzname()}",
        actor=actor,
        data={"attempt": lead.call_count, "snooze_minutes": minutes},
    )
    emit_for(lead, "lead.call_logged", actor=actor)
    return lead


# Inline-editable fields and their labels; office, phone and ZIP have rules of their own.
EDITABLE_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "email": "Email",
    "zip_code": "ZIP",
    "campaign": "Campaign",
    "ad_name": "Ad name",
    "adset_name": "Ad set",
    "partner_name": "Partner",
    "service_type": "Service type",
    "how_soon": "How soon",
    "notes": "Notes",
    "office": "Office",
    "is_transferred": "Transferred",
}


@transaction.atomic
def update_field(*, lead: Lead, actor, field: str, value) -> Lead:
    """Save one inline edit (already cleaned by the form) and note it on the timeline.

    Needs leads.edit on a lead the actor sees; the office needs leads.choose_office. A
    Fresh lead's phone is edited only by whoever claimed it (claim first: the number is
    not hers to see yet), else PermissionDenied. Emits `lead.updated`.
    """
    check(actor, "leads.edit", obj=lead)
    if field == "office":
        check(actor, "leads.choose_office", obj=value)
    if field not in EDITABLE_FIELDS:
        raise DomainError("That field cannot be edited here.")
    lead = _locked(lead)
    if field == "phone" and actor is not None and lead.phone and not lead.phone_visible_to(actor):
        raise PermissionDenied("Claim the lead first: its phone is not yours to see yet.")
    old = getattr(lead, field)
    if field == "phone":
        lead.phone, lead.phone_last10 = value, phones.last10(value)
    elif field == "zip_code":
        apply_zip(lead, value)
    else:
        setattr(lead, field, value)
    new = getattr(lead, field)
    if new == old:
        return lead
    lead.save()
    label = EDITABLE_FIELDS[field]
    body = f"✏️ {label} updated" if field == "notes" else f"✏️ {label}: {old or '—'} → {new or '—'}"
    if field == "phone":
        body = f"✏️ Phone changed to {phones.pretty(new)}"
    record(lead, kind="note" if field == "notes" else "sys", body=body, actor=actor)
    emit_for(lead, "lead.updated", actor=actor, field=field, old=old, new=new)
    return lead


@transaction.atomic
def mark_opened_in_workiz(*, lead: Lead, actor, job_number: str) -> Lead:
    """Jobs-off offices: record the Workiz job number of a Converted lead."""
    check(actor, "leads.edit", obj=lead)
    job_number = job_number.strip()
    if not job_number:
        raise DomainError("Enter the Workiz job number.")
    lead = _locked(lead)
    if lead.status != Status.CONVERTED:
        raise DomainError("Only a Converted lead is opened in Workiz.")
    old, lead.workiz_job_number = lead.workiz_job_number, job_number
    lead.save(update_fields=["workiz_job_number", "updated_at"])
    record(lead, kind="sys", body=f"🔧 Opened in Workiz as job #{job_number}", actor=actor)
    emit_for(lead, "lead.updated", actor=actor, field="workiz_job_number", old=old, new=job_number)
    return lead


def _set_archived(lead: Lead, actor, archived: bool) -> Lead:
    lead = _locked(lead)
    set_archived(
        lead,
        actor=actor,
        archived=archived,
        name=lead.full_name,
        metadata={"lead_id": lead.pk},
        emit=emit_for,
    )
    return lead


@transaction.atomic
def archive_lead(*, lead: Lead, actor) -> Lead:
    """Soft-delete (admin+): off the dashboard, timeline kept. Audited; emits lead.archived."""
    check(actor, "leads.archive", obj=lead)
    return _set_archived(lead, actor, True)


@transaction.atomic
def restore_lead(*, lead: Lead, actor) -> Lead:
    """Back from the archive. Audited; emits lead.restored."""
    check(actor, "leads.archive", obj=lead)
    return _set_archived(lead, actor, False)


@transaction.atomic
def delete_lead(*, lead: Lead, actor) -> None:
    """Owner-only, permanent: the lead, its timeline and its BookBack calls go."""
    check(actor, "leads.delete", obj=lead)
    from crm.timeline.models import TimelineEntry

    if not lead.is_archived:
        raise DomainError("Archive the lead before deleting it for good.")
    label, office, pk = lead.full_name, lead.office, lead.pk
    TimelineEntry.objects.for_subject(lead).delete()
    lead.delete()
    audit(
        "lead.deleted",
        f"{label} deleted for good",
        actor=actor,
        office=office,
        metadata={"lead_id": pk},
    )
    events.emit("lead.deleted", office=office, actor=actor, lead_id=pk)
