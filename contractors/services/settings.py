"""CP → Job Types and CP → Job Partners (owner only)."""

from decimal import Decimal

from django.db import transaction

from contractors.models import JobPartner, JobType
from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit


def _refuse_if_jobs_use(name: str, jobs) -> None:
    """Jobs keep their type and source for good (PROTECT): say so instead of a 500. Read
    through the reverse relation: who covers what never imports jobs."""
    count = jobs.count()
    if count:
        raise DomainError(
            f"{name} is used by {count} job{'s' if count != 1 else ''}: it can't be deleted."
        )


def _changed(event: str, actor, text: str, **metadata) -> None:
    audit("settings.changed", text, actor=actor, metadata=metadata)
    events.emit(event, actor=actor, **metadata)


@transaction.atomic
def save_job_type(
    *, actor, label: str, sort_order: int, job_type: JobType | None = None
) -> JobType:
    """Create or rename a job type; labels are unique whatever their case."""
    check(actor, "controlpanel.access")
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
        "job_type.saved",
        actor,
        f"Job type {label} saved" + (f" (was {old})" if old and old != label else ""),
        job_type_id=job_type.pk,
    )
    return job_type


@transaction.atomic
def delete_job_type(*, actor, job_type: JobType) -> None:
    """Delete an unused job type. Refused (DomainError) while jobs, contractors or zones
    use it: jobs keep their type, and matching would silently change. Audited."""
    check(actor, "controlpanel.access")
    # Lock the row: a job being booked with this type holds a key-share lock on it, so
    # the count below waits for that booking and sees it rather than failing at delete.
    job_type = JobType.objects.select_for_update().get(pk=job_type.pk)
    _refuse_if_jobs_use(job_type.label, job_type.jobs)
    users = job_type.contractors.count()
    if users or job_type.priority_zones.exists():
        raise DomainError(
            f"{job_type.label} is used by {users} contractor{'s' if users != 1 else ''} "
            "or a priority zone. Take it off them first."
        )
    label = job_type.label
    job_type.delete()
    _changed("job_type.deleted", actor, f"Job type {label} deleted", label=label)


@transaction.atomic
def save_job_partner(
    *, actor, name: str, keep_rate: Decimal, partner: JobPartner | None = None
) -> JobPartner:
    """Create or edit a job partner; keep rate is a percent from 0 to 100."""
    check(actor, "controlpanel.access")
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
    _changed(
        "job_partner.saved",
        actor,
        f"Job partner {name} saved (keeps {keep_rate}%)",
        job_partner_id=partner.pk,
    )
    return partner


@transaction.atomic
def delete_job_partner(*, actor, partner: JobPartner) -> None:
    """Delete an unused job partner. Refused (DomainError) while jobs name it as their
    source: their history and finance depend on it. Audited."""
    check(actor, "controlpanel.access")
    partner = JobPartner.objects.select_for_update().get(pk=partner.pk)  # as delete_job_type
    _refuse_if_jobs_use(partner.name, partner.jobs)
    logins = partner.logins.count()
    if logins:
        raise DomainError(
            f"{partner.name} has {logins} partner login{'s' if logins != 1 else ''}: "
            "delete them in CP → Users first."
        )
    name = partner.name
    partner.delete()
    _changed("job_partner.deleted", actor, f"Job partner {name} deleted", job_partner=name)
