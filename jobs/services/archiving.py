"""📦 Archive / restore (admin+, from Jobs or Finance alike) and the owner's hard delete."""

from django.db import transaction
from django.utils import timezone

from crm import events
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.models import TimelineEntry
from crm.timeline.services import audit, record
from jobs.models import Job
from jobs.services.common import emit_for, locked


def _set_archived(job: Job, actor, archived: bool) -> Job:
    require(actor, "jobs.archive", obj=job)
    job = locked(job)
    if job.is_archived == archived:
        return job
    job.is_archived = archived
    job.archived_at, job.archived_by = (timezone.now(), actor) if archived else (None, None)
    job.save()
    verb = "archived" if archived else "restored"
    record(
        job,
        kind="sys",
        body="📦 Archived" if archived else "↩ Restored from the archive",
        actor=actor,
    )
    audit(
        f"job.{verb}",
        f"{job.display_id} {job.full_name} {verb}",
        actor=actor,
        office=job.office,
        metadata={"job_id": job.pk, "number": job.number},
    )
    emit_for(job, f"job.{verb}", actor=actor)
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
