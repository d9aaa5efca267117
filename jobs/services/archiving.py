"""📦 Archive / restore (admin+, from Jobs or Finance alike) and the owner's hard delete."""

from django.db import transaction

from crm import events
from crm.archiving import set_archived
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.models import TimelineEntry
from crm.timeline.services import audit
from jobs.models import Job
from jobs.services.common import emit_for, locked


def _set_archived(job: Job, actor, archived: bool) -> Job:
    require(actor, "jobs.archive", obj=job)
    job = locked(job)
    set_archived(
        job,
        actor=actor,
        archived=archived,
        name=f"{job.display_id} {job.full_name}",
        metadata={"job_id": job.pk, "number": job.number},
        emit=emit_for,
    )
    return job


@transaction.atomic
def archive_job(*, job: Job, actor) -> Job:
    """Soft-delete: off the dashboard, counters and duplicate check; row and timeline kept.

    Needs jobs.archive (admin+). One timeline note and one audit entry, whichever page
    archived it. Emits `job.archived`.
    """
    return _set_archived(job, actor, True)


@transaction.atomic
def restore_job(*, job: Job, actor) -> Job:
    """Back on the dashboard. Needs jobs.archive. Timeline + audit; emits `job.restored`."""
    return _set_archived(job, actor, False)


@transaction.atomic
def delete_job(*, job: Job, actor) -> None:
    """Owner only, permanent: the archived job and its timeline go. Audited."""
    require(actor, "jobs.delete", obj=job)
    job = locked(job)
    if not job.is_archived:
        raise DomainError("Archive the job before deleting it for good.")
    label, office, pk = str(job), job.office, job.pk
    TimelineEntry.objects.for_subject(job).delete()
    job.delete()
    audit(
        "job.deleted",
        f"{label} deleted for good",
        actor=actor,
        office=office,
        metadata={"job_id": pk},
    )
    events.emit("job.deleted", office=office, actor=actor, job_id=pk)
