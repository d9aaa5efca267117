"""What every job action shares: the row lock, the capability check, events, local times."""

import datetime

from crm import events
from jobs.models import Job
from jobs.payloads import SNAPSHOT_RELATED, job_snapshot, with_tag_labels


def locked(job: Job) -> Job:
    """The job re-read under a row lock, with what timeline lines and events name: the
    related rows and tag labels its event snapshot reads come in this one query."""
    return with_tag_labels(
        Job.objects.select_for_update(of=("self",)).select_related(*SNAPSHOT_RELATED)
    ).get(pk=job.pk)


def emit_for(job: Job, name: str, *, actor=None, **data) -> None:
    """Emit a job event tagged with its office and partner (live sync, handlers), with
    the job as it is now (`snapshot`, jobs.payloads) so a late handler sends what was
    true. Costs the event's INSERT only when `job` came from `locked` (or holds its
    related rows and tags some other way)."""
    events.emit(
        name,
        office=job.office_id,
        partner_name=job.source.name,
        actor=actor,
        job=job,
        snapshot=job_snapshot(job),
        **data,
    )


def local(job: Job, when: datetime.datetime) -> datetime.datetime:
    return when.astimezone(job.local_zone)


def clock(when: datetime.datetime) -> str:
    """9am, 2:30pm."""
    return f"{when:%-I:%M%p}".replace(":00", "").lower()


def short_window(job: Job) -> str:
    """May 5 9am–11am, in the job's own time."""
    start, end = local(job, job.starts_at), local(job, job.ends_at)
    return f"{start:%b %-d} {clock(start)}–{clock(end)}"


def schedule_text(job: Job) -> str:
    """2026-05-02 09:00–11:00 (the end's date too when the window crosses midnight)."""
    start, end = local(job, job.starts_at), local(job, job.ends_at)
    end_format = "%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M"
    return f"{start:%Y-%m-%d %H:%M}–{end.strftime(end_format)}"


def moment(job: Job, when: datetime.datetime) -> str:
    """May 6, 10:00 AM EDT, in the job's own time."""
    when = local(job, when)
    return f"{when:%b %-d, %-I:%M %p} {when.tzname()}"
