"""Job statuses: the required fields of each (spec: Job statuses, deep dive), re-opening a
Cancelled job, and Pending's ⏰ Reschedule Follow-up."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.services import audit, record
from jobs.models import CancelReason, Job, Status
from jobs.services.common import emit_for, locked, moment

CENTS = Decimal("0.01")


def status_event_data(old: str, new: str) -> dict:
    """What every `job.status_changed` says. Which webhook a move fires is the webhooks'
    business (Submitted's creation ones only when `reopened`), not the payload's."""
    return {"old": old, "new": new, "reopened": old == Status.CANCELLED}


def entered(changes: dict, note: str) -> dict:
    """What the person entered with the status, for the event: amounts, dates, the note,
    the cancel reason's label."""
    data = {**changes, **({"note": note} if note else {})}
    if "cancel_reason" in data:
        data["cancel_reason"] = data["cancel_reason"].label
    return data


def _money(value, label: str, *, positive: bool = False) -> Decimal:
    if value is None or value == "":
        raise DomainError(f"Enter the {label}.")
    try:
        amount = Decimal(str(value)).quantize(CENTS, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise DomainError(f"The {label} must be an amount in dollars.") from exc
    if amount < 0 or (positive and amount == 0):
        raise DomainError(f"The {label} must be {'more than' if positive else 'at least'} $0.")
    return amount


def _required(
    status: str,
    *,
    note: str,
    expected_completion: datetime.date | None,
    deposit_amount,
    follow_up_at: datetime.datetime | None,
    closing_total,
    parts_total,
    cancel_reason: CancelReason | None,
) -> dict:
    """The fields `status` sets, checked against the spec's table (DomainError if short)."""
    if status in (Status.DEPOSIT, Status.PENDING) and not note:
        raise DomainError(f"{Status(status).label} needs a note.")
    if status == Status.DEPOSIT:
        if expected_completion is None:
            raise DomainError("Deposit needs the expected completion date.")
        return {
            "expected_completion": expected_completion,
            "deposit_amount": _money(deposit_amount, "deposit amount", positive=True),
        }
    if status == Status.PENDING:
        if follow_up_at is None:
            raise DomainError("Pending needs the follow-up date and time.")
        return {"follow_up_at": follow_up_at}
    if status == Status.DONE:
        return {
            "closing_total": _money(closing_total, "closing total"),
            "parts_total": _money(parts_total, "parts total"),
        }
    if status == Status.CANCELLED:
        if cancel_reason is None:
            raise DomainError("Pick the cancellation reason.")
        return {"cancel_reason": cancel_reason}
    return {}


def _details(job: Job, changes: dict) -> list[str]:
    """What the timeline line says about the fields entered with the status."""
    parts = []
    if "deposit_amount" in changes:
        parts.append(f"deposit ${changes['deposit_amount']:,}")
        parts.append(f"expected completion {changes['expected_completion']:%b %-d, %Y}")
    if "follow_up_at" in changes:
        parts.append(f"follow-up {moment(job, changes['follow_up_at'])}")
    if "closing_total" in changes:
        parts.append(f"closing ${changes['closing_total']:,} · parts ${changes['parts_total']:,}")
    if "cancel_reason" in changes:
        parts.append(f"reason: {changes['cancel_reason'].label}")
    return parts


@transaction.atomic
def change_status(
    *,
    job: Job,
    actor,
    status: str,
    note: str = "",
    expected_completion: datetime.date | None = None,
    deposit_amount: Decimal | None = None,
    follow_up_at: datetime.datetime | None = None,
    closing_total: Decimal | None = None,
    parts_total: Decimal | None = None,
    cancel_reason: CancelReason | None = None,
) -> Job:
    """Move a job to `status` with the fields that status needs.

    Deposit: note + expected completion + deposit amount. Pending: note + follow-up.
    Done: closing + parts totals. Cancelled: a cancellation reason. In Progress: an
    optional note. Picking another status for a Cancelled job re-opens it. Needs
    jobs.edit. Timeline + audit; emits `job.status_changed` with what was entered
    (closing and parts totals, deposit, expected completion, follow-up, cancel reason,
    note) and the job's snapshot. Done for a partner keeping 100% stamps partner-paid "Auto"
    (`finance.services.stamp_house_brand_paid`).
    """
    require(actor, "jobs.edit", obj=job)
    if status not in Status.values:
        raise DomainError("Pick a status from the list.")
    note = (note or "").strip()
    changes = _required(
        status,
        note=note,
        expected_completion=expected_completion,
        deposit_amount=deposit_amount,
        follow_up_at=follow_up_at,
        closing_total=closing_total,
        parts_total=parts_total,
        cancel_reason=cancel_reason,
    )
    job = locked(job)
    old = job.status
    if old == status:
        raise DomainError(f"The job is already {Status(status).label}.")
    for field, value in changes.items():
        setattr(job, field, value)
    if old == Status.PENDING:
        job.follow_up_at = None  # only a Pending job waits on a follow-up
    if old == Status.CANCELLED:
        job.cancel_reason = None
    job.status, job.status_changed_at = status, timezone.now()
    job.status_note = note
    job.save()

    arrow = f"{Status(old).label} → {Status(status).label}"
    heading = f"♻ Re-opened: {arrow}" if old == Status.CANCELLED else f"Status: {arrow}"
    body = " · ".join([heading, *_details(job, changes), *([f"note: {note}"] if note else [])])
    data = status_event_data(old, status)
    record(job, kind="status", body=body, actor=actor, data={**data, **changes})
    audit(
        "job.status_changed",
        f"{job.display_id} {job.full_name}: {arrow}",
        actor=actor,
        office=job.office,
        metadata={"job_id": job.pk, **data, "note": note},
    )
    # Finance stamps house brands on it; webhooks send the snapshot.
    emit_for(job, "job.status_changed", actor=actor, **data, **entered(changes, note))
    return job


@transaction.atomic
def change_expected_completion(*, job: Job, actor, expected_completion: datetime.date) -> Job:
    """Move a Deposit job's expected completion date (spec: "Expected Completion
    Changed", any later adjustment). Needs jobs.edit (agent+). Raises DomainError unless
    the job is Deposit or without a date. Timeline line; emits
    `job.expected_completion_changed` (old, new) with the job's snapshot.
    """
    require(actor, "jobs.edit", obj=job)
    if expected_completion is None:
        raise DomainError("Pick the new expected completion date.")
    job = locked(job)
    if job.status != Status.DEPOSIT:
        raise DomainError("Only a Deposit job has an expected completion date to change.")
    old = job.expected_completion
    if old == expected_completion:
        return job
    job.expected_completion = expected_completion
    job.save(update_fields=["expected_completion", "updated_at"])
    before = f"{old:%b %-d, %Y}" if old else "—"
    record(
        job,
        kind="sys",
        body=f"📦 Expected completion: {before} → {expected_completion:%b %-d, %Y}",
        actor=actor,
        data={"old": old, "new": expected_completion},
    )
    emit_for(job, "job.expected_completion_changed", actor=actor, old=old, new=expected_completion)
    return job


@transaction.atomic
def reschedule_follow_up(*, job: Job, actor, follow_up_at: datetime.datetime) -> Job:
    """⏰ Reschedule Follow-up: push a Pending job's next check-in (agent+).

    Raises DomainError unless the job is Pending. Timeline line; emits
    `job.follow_up_rescheduled`.
    """
    require(actor, "jobs.edit", obj=job)
    if follow_up_at is None:
        raise DomainError("Pick the new follow-up date and time.")
    job = locked(job)
    if job.status != Status.PENDING:
        raise DomainError("Only a Pending job has a follow-up to reschedule.")
    old = job.follow_up_at
    if old == follow_up_at:
        return job
    job.follow_up_at = follow_up_at
    job.save()
    before = moment(job, old) if old else "—"
    record(
        job,
        kind="sys",
        body=f"⏰ Follow-up rescheduled: {before} → {moment(job, follow_up_at)}",
        actor=actor,
        data={"old": old, "new": follow_up_at},
    )
    emit_for(job, "job.follow_up_rescheduled", actor=actor, follow_up_at=follow_up_at)
    return job
