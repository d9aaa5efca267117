"""🔄 Auto Status Change: Submitted → In Progress at 7 PM the day before, in each job's own
time zone, for the offices ticked in CP → Jobs Settings. Beat runs it every 15 minutes."""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.events import jsonable
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import Job, JobsSettings, Status
from jobs.services.common import emit_for
from jobs.services.statuses import status_event_data
from jobs.timezones import by_local_clock, local_midnight

RULE = "Submitted → In Progress"
ADVANCE_HOUR = 19  # 7 PM local, the day before the job


def _due_window(zone: ZoneInfo, now: datetime.datetime) -> tuple[datetime.datetime, ...]:
    """Starts that are due in `zone` at `now`: today's (a missed threshold is caught up),
    and from 7 PM on, tomorrow's. Earlier days never: past-dated jobs stay as they are."""
    local_now = now.astimezone(zone)
    days = 2 if local_now.hour >= ADVANCE_HOUR else 1
    return (
        local_midnight(local_now.date(), zone),
        local_midnight(local_now.date() + datetime.timedelta(days=days), zone),
    )


def due_jobs(jobs_settings: JobsSettings, now: datetime.datetime):
    """Submitted jobs past their threshold: one indexed SELECT (status, starts_at)."""
    starting = by_local_clock(
        key=lambda zone: _due_window(zone, now),
        condition=lambda bounds: Q(starts_at__gte=bounds[0], starts_at__lt=bounds[1]),
    )
    ticked = JobsSettings.auto_advance_offices.through.objects.filter(
        jobssettings=jobs_settings
    ).values("office_id")
    return Job.objects.filter(
        starting,
        # Every zone's window (25-hour DST days included) lies inside this one: a range the
        # (status, starts_at) index scans directly, whatever the planner makes of the branches.
        starts_at__gte=now - datetime.timedelta(days=2),
        starts_at__lt=now + datetime.timedelta(days=2),
        status=Status.SUBMITTED,
        is_archived=False,
        office__in=ticked,
        office__is_jobs_enabled=True,
    )


@transaction.atomic
def advance_due_jobs(now: datetime.datetime | None = None) -> int:
    """Move every due Submitted job to In Progress; return how many moved.

    Idempotent and safe to run concurrently: due jobs are locked with SKIP LOCKED, so a
    second tick skips what the first is moving, and once moved a job is no longer
    Submitted. Each job gets "⏱ Auto-advanced by the Submitted → In Progress rule" on
    its timeline, an audit row ("System") and the `job.status_changed` event a manual
    change emits (automations).
    """
    now = now or timezone.now()
    jobs_settings = JobsSettings.load()
    if not jobs_settings.auto_advance_enabled:
        return 0
    jobs = list(
        due_jobs(jobs_settings, now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("office", "source")
    )
    if not jobs:
        return 0
    Job.objects.filter(pk__in=[job.pk for job in jobs], status=Status.SUBMITTED).update(
        status=Status.IN_PROGRESS, status_changed_at=now, status_note="", updated_at=now
    )
    data = status_event_data(Status.SUBMITTED, Status.IN_PROGRESS)
    body = f"⏱ Auto-advanced by the {RULE} rule"
    # Written in bulk (what `record` and `audit` write one by one): a 7 PM tick moves a
    # whole evening's jobs at once.
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            created_at=now,
            subject_type=Job._meta.model_name,
            subject_id=job.pk,
            subject_label=str(job)[:160],
            kind=TimelineEntry.Kind.STATUS,
            office_id=job.office_id,
            body=body,
            data=jsonable({**data, "rule": RULE}),
        )
        for job in jobs
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            created_at=now,
            kind=AuditEvent.Kind.JOB_STATUS,
            office=job.office,
            office_label=job.office.name,
            text=f"{job.display_id} {job.full_name}: Submitted → In Progress ({RULE} rule)"[:300],
            metadata=jsonable({"job_id": job.pk, **data, "rule": RULE}),
        )
        for job in jobs
    )
    for job in jobs:
        job.status = Status.IN_PROGRESS
        emit_for(job, "job.status_changed", **data, rule=RULE)
    return len(jobs)
