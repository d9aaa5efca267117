"""Operational edits from the detail panel: client details, notes, address + service area,
tags. The office is frozen at create; schedule and contractor have actions of their own."""

from collections.abc import Iterable

from django.db import transaction

from contractors.models import ServiceArea
from crm import phones
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.services import record
from jobs.models import Job, JobTag
from jobs.payloads import SEPARATOR, tag_labels
from jobs.services.common import emit_for, locked
from jobs.services.creating import apply_address

EDITABLE_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "email": "Email",
    "company": "Company",
    "notes": "Notes",
}


@transaction.atomic
def update_field(*, job: Job, actor, field: str, value: str) -> Job:
    """Save one inline edit. Needs jobs.edit; the phone must be a valid US number and the
    first name can't be blanked. Timeline line; emits `job.updated` (field, old, new)."""
    require(actor, "jobs.edit", obj=job)
    if field not in EDITABLE_FIELDS:
        raise DomainError("That field cannot be edited here.")
    value = (value or "").strip()
    if field == "first_name" and not value:
        raise DomainError("A job needs the client's first name.")
    if field == "phone":
        try:
            value = phones.normalize_phone(value)
        except ValueError as exc:
            raise DomainError(str(exc)) from exc
    job = locked(job)
    old = getattr(job, field)
    if old == value:
        return job
    setattr(job, field, value)
    if field == "phone":
        job.phone_last10 = phones.last10(value)
    job.save()
    label = EDITABLE_FIELDS[field]
    if field == "notes":
        body = "✏️ Notes updated"
    elif field == "phone":
        body = f"✏️ Phone changed to {phones.pretty(value)}"
    else:
        body = f"✏️ {label}: {old or '—'} → {value or '—'}"
    record(job, kind="note" if field == "notes" else "sys", body=body, actor=actor)
    emit_for(job, "job.updated", actor=actor, field=field, old=old, new=value)
    return job


@transaction.atomic
def change_address(
    *,
    job: Job,
    actor,
    street: str,
    unit: str = "",
    city: str = "",
    state: str = "",
    zip_code: str = "",
    lat: float | None = None,
    lng: float | None = None,
    service_area: ServiceArea | None = None,
) -> Job:
    """A new address and/or service area: time zone, coordinates and the area snapshots
    follow. The contractor stays (reassigning is its own action). Needs jobs.edit."""
    require(actor, "jobs.edit", obj=job)
    job = locked(job)
    before = job.address
    apply_address(
        job,
        street=street,
        unit=unit,
        city=city,
        state=state,
        zip_code=zip_code,
        lat=lat,
        lng=lng,
        service_area=service_area,
    )
    job.save()
    area = f" · service area {job.service_area.label}" if job.service_area else ""
    record(
        job,
        kind="sys",
        body=f"📍 Address: {before or '—'} → {job.address or '—'}{area}",
        actor=actor,
    )
    emit_for(job, "job.updated", actor=actor, field="address", old=before, new=job.address)
    return job


@transaction.atomic
def set_tags(*, job: Job, actor, tags: Iterable[JobTag]) -> Job:
    """Replace the job's tags (admin+, jobs.tag). Timeline line; emits `job.updated`."""
    require(actor, "jobs.tag", obj=job)
    job = locked(job)
    tags = list(tags)
    before = tag_labels(job)  # from the lock query's annotation
    after = sorted(tag.label for tag in tags)
    if before == after:
        return job
    job.tags.set(tags)
    job.tag_labels = SEPARATOR.join(after) or None  # the snapshot shows the new tags
    record(job, kind="sys", body=f"🏷 Tags: {', '.join(after) or 'none'}", actor=actor)
    emit_for(job, "job.updated", actor=actor, field="tags", old=before, new=after)
    return job
