"""📋 EOD Reminders and 🌅 Morning Reminders (spec: Jobs dashboard): one card per
contractor scheduled on a day, with the text to paste to them and a map of their stops.

EOD (sent the night before) is the long form, "Reminder for Tomorrow"; Morning is the
short form, "Reminder for Today". Jobs missing a map point are placed first through Places
"find from text" (with a key), so the Static Maps URL never needs the Geocoding API.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from contractors.geocoding import find_place, google_api_key, server_api_key
from crm import phones
from jobs.models import Job, Status
from jobs.services.common import clock, local

STATIC_MAPS_URL = "https://maps.googleapis.com/maps/api/staticmap"
KINDS = {"eod": "Reminder for Tomorrow", "morning": "Reminder for Today"}


@dataclass
class Reminder:
    contractor: str
    jobs: list[Job]
    text: str
    map_url: str


def _window(job: Job) -> str:
    start, end = local(job, job.starts_at), local(job, job.ends_at)
    return f"{clock(start).upper()}-{clock(end).upper()}"


def _long(job: Job) -> str:
    start = local(job, job.starts_at)
    lines = [
        f"Job#: {job.display_id}",
        f"Customer: {job.full_name}",
        f"Phone: {phones.pretty(job.phone)}",
        f"Address: {job.address}",
        f"Job Type: {job.job_type.label}",
    ]
    if job.notes:
        lines.append(f"Notes: {job.notes}")
    lines.append(f"Date+Time: {start:%a %b %-d}, {_window(job)}")
    return "\n".join(lines)


def reminder_text(kind: str, contractor: str, jobs: list[Job]) -> str:
    """The message for one contractor, jobs in time order, numbered like the map's pins."""
    header = f"{KINDS[kind]} — {contractor}"
    if kind == "morning":
        stops = [f"{n}. ***{_window(job)}*** {job.address}" for n, job in enumerate(jobs, 1)]
    else:
        stops = [f"{n}. {_long(job)}" for n, job in enumerate(jobs, 1)]
    return "\n\n".join([header, *stops])


def static_map_url(jobs: list[Job], key: str) -> str:
    """A Static Maps image with numbered red pins (jobs without a point are left off)."""
    markers = [
        ("markers", f"color:red|label:{n}|{job.lat:.5f},{job.lng:.5f}")
        for n, job in enumerate(jobs, 1)
        if job.lat is not None and job.lng is not None
    ]
    if not markers:
        return ""
    return f"{STATIC_MAPS_URL}?{urlencode([('size', '480x260'), *markers, ('key', key)])}"


def _place_missing(jobs: list[Job], key: str) -> None:
    for job in jobs:
        if job.lat is None or job.lng is None:
            point = find_place(job.address, key) if job.address else None
            if point:
                job.lat, job.lng = point
                Job.objects.filter(pk=job.pk).update(lat=job.lat, lng=job.lng)


def day_reminders(jobs, *, day: datetime.date, kind: str) -> list[Reminder]:
    """One reminder per contractor with jobs on `day` (the jobs' local date), by name.

    `jobs` is the caller's scoped queryset; cancelled and unassigned jobs have nobody to
    remind. Maps only with a Google key.
    """
    rows = (
        jobs.exclude(status=Status.CANCELLED)
        .filter(contractor__isnull=False)
        .filter(starts_at__gte=_midnight(day) - datetime.timedelta(hours=12))
        .filter(starts_at__lt=_midnight(day) + datetime.timedelta(hours=36))
        .select_related("contractor", "job_type")
        .order_by("starts_at")
    )
    by_contractor: dict[str, list[Job]] = {}
    for job in rows:
        if local(job, job.starts_at).date() == day:
            by_contractor.setdefault(job.contractor.name, []).append(job)
    key = google_api_key()
    reminders = []
    for contractor in sorted(by_contractor, key=str.casefold):
        day_jobs = by_contractor[contractor]
        if key:  # pins are looked up by the server; the map URL carries the browser key
            _place_missing(day_jobs, server_api_key())
        reminders.append(
            Reminder(
                contractor=contractor,
                jobs=day_jobs,
                text=reminder_text(kind, contractor, day_jobs),
                map_url=static_map_url(day_jobs, key) if key else "",
            )
        )
    return reminders


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
