"""When the job happens: schedule edits from the detail panel, and 🔁 Rebook."""

import datetime

from django.db import transaction
from django.utils import timezone

from contractors.models import Contractor
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.services import audit, record
from jobs.models import Job
from jobs.services.common import emit_for, locked, schedule_text, short_window
from jobs.services.dispatch import emit_contractor_assigned, set_contractor


def _check_window(starts_at: datetime.datetime | None, ends_at: datetime.datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise DomainError("Pick the start and the end of the job.")
    if ends_at <= starts_at:
        raise DomainError("The job must end after it starts.")


@transaction.atomic
def change_schedule(
    *, job: Job, actor, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> Job:
    """Edit the date/time window (detail panel). Needs jobs.edit.

    Writes "📅 Schedule changed: 2026-05-02 09:00–11:00 → 2026-05-03 14:00–16:00" (job's
    local time); K stays (only a rebook clears it). Emits `job.schedule_changed`.
    """
    require(actor, "jobs.edit", obj=job)
    _check_window(starts_at, ends_at)
    job = locked(job)
    if (job.starts_at, job.ends_at) == (starts_at, ends_at):
        return job
    before = schedule_text(job)
    job.starts_at, job.ends_at = starts_at, ends_at
    job.save()
    record(
        job,
        kind="sys",
        body=f"📅 Schedule changed: {before} → {schedule_text(job)}",
        actor=actor,
        data={"starts_at": starts_at, "ends_at": ends_at},
    )
    emit_for(job, "job.schedule_changed", actor=actor, starts_at=starts_at, ends_at=ends_at)
    return job


@transaction.atomic
def rebook(
    *,
    job: Job,
    actor,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    contractor: Contractor | None = None,
) -> Job:
    """🔁 Rebook: a new window and/or a new contractor, or neither (a marker only).

    A new window needs both ends; a new contractor must be one the dropdown offers and
    re-snapshots the profit share. Always stamps rebooked_at/by and clears K (the
    contractor's acceptance was for the old plan). Needs jobs.edit. Timeline
    "🔁 Rebooked — new window May 5 9am–11am · new contractor: Joe Smith ·
    K-confirmation cleared", audit; emits `job.rebooked` (and `job.contractor_assigned`).
    """
    require(actor, "jobs.edit", obj=job)
    moves = starts_at is not None or ends_at is not None
    if moves:
        _check_window(starts_at, ends_at)
    job = locked(job)
    parts = []
    if moves and (starts_at, ends_at) != (job.starts_at, job.ends_at):
        job.starts_at, job.ends_at = starts_at, ends_at
        parts.append(f"new window {short_window(job)}")
    previous, was_confirmed = job.contractor, job.is_k_confirmed
    if contractor is not None:
        set_contractor(job, contractor)
    contractor_changed = job.contractor != previous
    if contractor_changed:
        parts.append(f"new contractor: {contractor.name}")
    if was_confirmed:
        parts.append("K-confirmation cleared")
    job.k_confirmed_at, job.k_confirmed_by = None, None
    job.rebooked_at, job.rebooked_by = timezone.now(), actor
    job.save()
    record(
        job,
        kind="sys",
        body="🔁 Rebooked" + (f" — {' · '.join(parts)}" if parts else ""),
        actor=actor,
        data={"starts_at": job.starts_at, "ends_at": job.ends_at, "contractor": job.contractor},
    )
    audit(
        "job.rebooked",
        f"{job.display_id} {job.full_name} rebooked",
        actor=actor,
        office=job.office,
        metadata={
            "job_id": job.pk,
            "window": schedule_text(job),
            "contractor": job.contractor.name if job.contractor else "",
        },
    )
    if contractor_changed:
        emit_contractor_assigned(job, previous, actor=actor)
    emit_for(
        job,
        "job.rebooked",
        actor=actor,
        starts_at=job.starts_at,
        ends_at=job.ends_at,
        contractor=job.contractor,
    )
    return job
