"""CP → Job Types and CP → Job Partners (owner only)."""

from decimal import Decimal

from django.db import transaction

from contractors.models import JobPartner, JobType
from crm import events
from crm.errors import DomainError
from crm.timeline.services import audit


def _changed(actor, text: str, **metadata) -> None:
    audit("settings.changed", text, actor=actor, metadata=metadata)
    events.emit("settings.changed", actor=actor, **metadata)


@transaction.atomic
def save_job_type(
    *, actor, label: str, sort_order: int, job_type: JobType | None = None
) -> JobType:
    """Create or rename a job type; labels are unique whatever their case."""
    label = " ".join(label.split())
    if not label:
        raise DomainError("Give the job type a label.")
    taken = JobType.objects.filter(label__iexact=label)
    if job_type is not None:
        taken = taken.exclude(pk=job_type.pk)
    if taken.exists():
        raise DomainError(f"A job type named {label} already exists.")
    job_type = job_type or JobType()
    old = job_type.label
    job_type.label, job_type.sort_order = label, sort_order
    job_type.save()
    _changed(
        actor,
        f"Job type {label} saved" + (f" (was {old})" if old and old != label else ""),
        job_type_id=job_type.pk,
    )
    return job_type


@transaction.atomic
def delete_job_type(*, actor, job_type: JobType) -> None:
    """Refused while contractors or zones use it: their matching would silently change."""
    users = job_type.contractors.count()
    if users or job_type.priority_zones.exists():
        raise DomainError(
            f"{job_type.label} is used by {users} contractor{'s' if users != 1 else ''} "
            "or a priority zone. Take it off them first."
        )
    label = job_type.label
    job_type.delete()
    _changed(actor, f"Job type {label} deleted", label=label)


@transaction.atomic
def save_job_partner(
    *, actor, name: str, keep_rate: Decimal, partner: JobPartner | None = None
) -> JobPartner:
    """Create or edit a job partner; keep rate is a percent from 0 to 100."""
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the job partner a name.")
    if not Decimal("0") <= keep_rate <= Decimal("100"):
        raise DomainError("The keep rate is a percent from 0 to 100.")
    taken = JobPartner.objects.filter(name__iexact=name)
    if partner is not None:
        taken = taken.exclude(pk=partner.pk)
    if taken.exists():
        raise DomainError(f"A job partner named {name} already exists.")
    partner = partner or JobPartner()
    partner.name, partner.keep_rate = name, keep_rate
    partner.save()
    _changed(actor, f"Job partner {name} saved (keeps {keep_rate}%)", job_partner_id=partner.pk)
    return partner


@transaction.atomic
def delete_job_partner(*, actor, partner: JobPartner) -> None:
    name = partner.name
    partner.delete()
    _changed(actor, f"Job partner {name} deleted", job_partner=name)
