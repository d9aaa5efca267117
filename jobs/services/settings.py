"""CP → Job Settings (owner only): Cancel Reasons, Job Tags, Jobs Attentions and the
Auto Status Change rule. Every change is audited."""

import re
from collections.abc import Iterable

from django.db import transaction

from crm import events
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.services import audit
from jobs.models import CancelReason, Job, JobsSettings, JobTag

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _changed(event: str, actor, text: str, **metadata) -> None:
    audit("settings.changed", text, actor=actor, metadata=metadata)
    events.emit(event, actor=actor, **metadata)


def _clean_label(label: str, what: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise DomainError(f"Give the {what} a label.")
    return label


@transaction.atomic
def save_cancel_reason(
    *, actor, label: str, sort_order: int = 0, reason: CancelReason | None = None
) -> CancelReason:
    """Create or edit a cancel reason; labels are unique whatever their case."""
    require(actor, "controlpanel.access")
    label = _clean_label(label, "cancel reason")
    taken = CancelReason.objects.filter(label__iexact=label)
    if reason is not None:
        taken = taken.exclude(pk=reason.pk)
    if taken.exists():
        raise DomainError(f"A cancel reason named {label} already exists.")
    reason = reason or CancelReason()
    reason.label, reason.sort_order = label, sort_order
    reason.save()
    _changed(
        "cancel_reason.saved", actor, f"Cancel reason {label} saved", cancel_reason_id=reason.pk
    )
    return reason


@transaction.atomic
def delete_cancel_reason(*, actor, reason: CancelReason) -> None:
    """Refused while a cancelled job gives it as its reason."""
    require(actor, "controlpanel.access")
    if Job.objects.filter(cancel_reason=reason).exists():
        raise DomainError(f"Cancelled jobs give {reason.label} as their reason: keep it.")
    label = reason.label
    reason.delete()
    _changed("cancel_reason.deleted", actor, f"Cancel reason {label} deleted", cancel_reason=label)


@transaction.atomic
def save_job_tag(*, actor, label: str, color: str, tag: JobTag | None = None) -> JobTag:
    """Create or edit a job tag; the colour is a #rrggbb hex."""
    require(actor, "controlpanel.access")
    label = _clean_label(label, "tag")
    if not COLOR.match(color or ""):
        raise DomainError("Pick the tag's colour as #rrggbb.")
    taken = JobTag.objects.filter(label__iexact=label)
    if tag is not None:
        taken = taken.exclude(pk=tag.pk)
    if taken.exists():
        raise DomainError(f"A tag named {label} already exists.")
    tag = tag or JobTag()
    tag.label, tag.color = label, color.lower()
    tag.save()
    _changed("job_tag.saved", actor, f"Job tag {label} saved", job_tag_id=tag.pk)
    return tag


@transaction.atomic
def delete_job_tag(*, actor, tag: JobTag) -> None:
    """Delete a tag definition; jobs wearing it simply lose it."""
    require(actor, "controlpanel.access")
    label = tag.label
    tag.delete()
    _changed("job_tag.deleted", actor, f"Job tag {label} deleted", job_tag=label)


@transaction.atomic
def update_jobs_settings(
    *,
    actor,
    ask_for_update_hours: int,
    auto_advance_enabled: bool,
    auto_advance_offices: Iterable[Office],
) -> JobsSettings:
    """CP → Jobs Attentions (ASK FOR UPDATE after N hours, 1–168) and the Auto Status
    Change rule (enabled + its offices)."""
    require(actor, "controlpanel.access")
    if not 1 <= ask_for_update_hours <= 168:
        raise DomainError("Ask for an update between 1 and 168 hours after the job.")
    jobs_settings = JobsSettings.objects.select_for_update().get(pk=JobsSettings.load().pk)
    offices = sorted(auto_advance_offices, key=lambda office: office.name)
    jobs_settings.ask_for_update_hours = ask_for_update_hours
    jobs_settings.auto_advance_enabled = auto_advance_enabled
    jobs_settings.save()
    jobs_settings.auto_advance_offices.set(offices)
    state = "on" if auto_advance_enabled else "off"
    names = ", ".join(office.name for office in offices) or "no office"
    _changed(
        "jobs_settings.saved",
        actor,
        f"Jobs settings: ask for update after {ask_for_update_hours} h; "
        f"auto status change {state} ({names})",
        ask_for_update_hours=ask_for_update_hours,
        auto_advance_enabled=auto_advance_enabled,
        auto_advance_offices=[office.pk for office in offices],
    )
    return jobs_settings
