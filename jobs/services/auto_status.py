"""🔄 Auto Status Change: Submitted → In Progress at 7 PM the day before, in each job's own
time zone, for the offices ticked in CP → Jobs Settings. Beat runs it every 15 minutes."""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm import events
from crm.events import jsonable
from crm.timeline.models import AuditEvent, TimelineEntry
from crm.timeline.services import audit
from crm.timezones import by_local_clock, local_midnight
from jobs.models import Job, JobsSettings, Status, settings_and_zones, zones_in_use
from jobs.payloads import SNAPSHOT_RELATED, job_snapshot, with_tag_labels
from jobs.services.statuses import status_event_data

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


def due_jobs(jobs_settings: JobsSettings, now: datetime.datetime, zones=None):
    """Submitted jobs past their threshold: one indexed SELECT (status, starts_at)."""
    starting = by_local_clock(
        key=lambda zone: _due_window(zone, now),
        condition=lambda bounds: Q(starts_at__gte=bounds[0], starts_at__lt=bounds[1]),
        # Each zone's midnight differs: branch on the few zones jobs use.
        zones=zones_in_use() if zones is None else zones,
    )
    return Job.objects.filter(
        starting,
        # Every zone's window (25-hour DST days included) lies inside this one: a range the
        # (status, starts_at) index scans directly, whatever the planner makes of the branches.
        starts_at__gte=now - datetime.timedelta(days=2),
        starts_at__lt=now + datetime.timedelta(days=2),
        status=Status.SUBMITTED,
        is_archived=False,
        office_id__in=jobs_settings.advancing_office_ids,  # ticked, with Jobs on
    )


def advance_due_jobs(now: datetime.datetime | None = None) -> int:
    """Move every due Submitted job to In Progress; return how many moved.

    Idempotent and safe to run concurrently: due jobs are locked with SKIP LOCKED, so a
    second tick skips what the first is moving, and once moved a job is no longer
    Submitted. Each job gets "⏱ Auto-advanced by the Submitted → In Progress rule" on
    its timeline and the `job.status_changed` event a manual change emits (automations);
    the tick writes one audit row ("System") naming the jobs it moved. All in bulk: the
    7 PM tick moves a whole evening's jobs at once.
    """
    now = now or timezone.now()
    jobs_settings, zones = settings_and_zones()
    if not (jobs_settings.auto_advance_enabled and jobs_settings.advancing_office_ids):
        return 0
    due = due_jobs(jobs_settings, now, zones).order_by()
    # Most ticks find nothing: one read, no transaction.
    if not due.exists():
        return 0
    with transaction.atomic():
        return _advance(due, now)


def _advance(due, now: datetime.datetime) -> int:
    ids = list(due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True))
    if not ids:
        return 0
    # With what the event snapshots read: one query for them all.
    jobs = list(with_tag_labels(Job.objects.filter(pk__in=ids).select_related(*SNAPSHOT_RELATED)))
    Job.objects.filter(pk__in=[job.pk for job in jobs], status=Status.SUBMITTED).update(
        status=Status.IN_PROGRESS, status_changed_at=now, status_note="", updated_at=now
    )
    for job in jobs:  # as the UPDATE left them: the event snapshots show the new status
        job.status, job.status_changed_at, job.status_note = Status.IN_PROGRESS, now, ""
    data = status_event_data(Status.SUBMITTED, Status.IN_PROGRESS)
    body = f"⏱ Auto-advanced by the {RULE} rule"
    # What `record` writes one by one, in one insert.
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
    numbers = ", ".join(job.display_id for job in jobs)
    audit(
        AuditEvent.Kind.JOB_STATUS,
        f"{RULE} rule moved {len(jobs)} job{'' if len(jobs) == 1 else 's'}: {numbers}",
        metadata={"job_ids": [job.pk for job in jobs], **data, "rule": RULE},
    )
    events.emit_many(
        "job.status_changed",
        [
            {
                "office": job.office_id,
                "partner_name": job.source.name,
                "job": job.pk,
                "snapshot": job_snapshot(job),
                **data,
                "rule": RULE,
            }
            for job in jobs
        ],
    )
    return len(jobs)
