"""Who does the job: Find Contractor, K-confirmation (with reassignment), un-K."""

from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contractors.matching import Candidate, dispatch_candidates, profit_share_for
from contractors.models import Contractor
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.services import record
from jobs.models import Job
from jobs.services.common import emit_for, locked
from jobs.services.placing import point_of


def candidates_for(job: Job) -> list[Candidate]:
    """Find Contractor / K / New Job: who may do `job`, in the order to try, with why.

    The job's point is its map point, else its ZIP's centre (`point_of`).
    """
    point = point_of(zip_code=job.zip_code, lat=job.lat, lng=job.lng)
    return dispatch_candidates(point, job.job_type, service_area=job.service_area)


def contractor_choices(job: Job) -> QuerySet:
    """The same contractors as a queryset in name order (the Rebook form, the demo)."""
    ids = [candidate.contractor.pk for candidate in candidates_for(job)]
    return Contractor.objects.filter(pk__in=ids).order_by("name")


def snapshot_profit_share(job: Job) -> None:
    """Freeze the contractor's profit share for this job (its ZIP and partner decide which %)."""
    if job.contractor is None:
        job.profit_share = None
        return
    share = profit_share_for(job.contractor, zip_code=job.zip_code, partner_name=job.source.name)
    job.profit_share = Decimal(str(share)).quantize(Decimal("0.01"))


def check_eligible(job: Job, contractor: Contractor) -> None:
    """The server side of the dropdown's filter: refuse anyone `candidates_for` omits."""
    if contractor.pk not in {candidate.contractor.pk for candidate in candidates_for(job)}:
        raise DomainError(
            f"{contractor.name} doesn't cover this job's service area and job type "
            f"({job.job_type.label})."
        )


def set_contractor(job: Job, contractor: Contractor) -> Contractor | None:
    """Put `contractor` on the (locked, unsaved) job and return the previous one.

    A new contractor must be eligible, gets a fresh profit-share snapshot and no K: the
    old acceptance was someone else's.
    """
    previous = job.contractor
    if previous is not None and previous.pk == contractor.pk:
        return previous
    check_eligible(job, contractor)
    job.contractor = contractor
    snapshot_profit_share(job)
    job.k_confirmed_at, job.k_confirmed_by = None, None
    return previous


def contractor_change_text(previous: Contractor | None, contractor: Contractor) -> str:
    if previous is None:
        return f"Contractor assigned: {contractor.name}"
    return f"Contractor changed: {previous.name} → {contractor.name}"


def emit_contractor_assigned(job: Job, previous: Contractor | None, *, actor) -> None:
    emit_for(
        job,
        "job.contractor_assigned",
        actor=actor,
        old=previous,
        new=job.contractor,
        profit_share=job.profit_share,
    )


@transaction.atomic
def assign_contractor(*, job: Job, actor, contractor: Contractor) -> Job:
    """Find Contractor (or the contractor field's edit): assign and snapshot profit share.

    Needs jobs.edit and a contractor from `contractor_choices`. Assignment is not K: a
    new contractor leaves the job needing K. Timeline line; emits job.contractor_assigned.
    """
    require(actor, "jobs.edit", obj=job)
    job = locked(job)
    previous = set_contractor(job, contractor)
    if previous is not None and previous.pk == contractor.pk:
        return job
    job.save()
    record(
        job,
        kind="sys",
        body=f"🔍 {contractor_change_text(previous, contractor)}",
        actor=actor,
        data={"old": previous, "new": contractor, "profit_share": job.profit_share},
    )
    emit_contractor_assigned(job, previous, actor=actor)
    return job


@transaction.atomic
def k_confirm(*, job: Job, actor, contractor: Contractor | None = None) -> Job:
    """Mark that the contractor accepted the job (K).

    `contractor` is who accepted: none means the assigned one; someone else reassigns the
    job to them (new profit-share snapshot) and confirms in one step. Raises DomainError
    when nobody is assigned and nobody is named. Emits job.k_confirmed (and
    job.contractor_assigned on a reassignment).
    """
    require(actor, "jobs.edit", obj=job)
    job = locked(job)
    contractor = contractor or job.contractor
    if contractor is None:
        raise DomainError("Which contractor accepted? Pick one.")
    previous = set_contractor(job, contractor)
    reassigned = previous is None or previous.pk != contractor.pk
    if job.is_k_confirmed and not reassigned:
        return job
    job.k_confirmed_at, job.k_confirmed_by = timezone.now(), actor
    job.save()
    body = f"✅ K-confirmed — {contractor.name} accepted the job."
    data = {"contractor": contractor}
    if reassigned:
        body += f" ({contractor_change_text(previous, contractor)})"
        data["profit_share"] = job.profit_share
    record(job, kind="sys", body=body, actor=actor, data=data)
    if reassigned:
        emit_contractor_assigned(job, previous, actor=actor)
    emit_for(job, "job.k_confirmed", actor=actor, contractor=contractor)
    return job


@transaction.atomic
def clear_k_confirmation(*, job: Job, actor) -> Job:
    """Un-K: the contractor backed out, so the job needs K again. Emits job.k_cleared."""
    require(actor, "jobs.edit", obj=job)
    job = locked(job)
    if not job.is_k_confirmed:
        return job
    job.k_confirmed_at, job.k_confirmed_by = None, None
    job.save()
    record(job, kind="sys", body="K-confirmation cleared", actor=actor)
    emit_for(job, "job.k_cleared", actor=actor)
    return job
