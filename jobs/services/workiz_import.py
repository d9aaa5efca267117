"""📥 Importing jobs from Workiz (.xlsx / .csv, columns read by header name).

Three steps for the page: `read_rows` the file, ask the user to map what `unmatched`
lists (each distinct Tech / Source / Type once), then `import_jobs`. Imported jobs are
history, not live bookings: they fire no webhooks or automations.
"""

import datetime
import re
from contextlib import closing
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contractors.models import Contractor, JobPartner, JobType, ServiceArea
from crm import events, geo, spreadsheets
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.permissions import check as require
from crm.spreadsheets import ImportResult
from crm.timeline.services import audit, record
from crm.timezones import zone_for
from jobs.models import Job, Status
from jobs.services.areas import closest_areas
from jobs.services.creating import build_job, check_office, insert_job
from leads.importing import normalize_header

MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024
PENDING_FOLLOW_UP = datetime.timedelta(hours=1)  # spec: "a follow-up due in the next hour"

# Workiz header (normalised) → our name; a few spellings Workiz and Excel produce.
COLUMNS = {
    "job#": "job_number",
    "jobnumber": "job_number",
    "client": "client",
    "clientname": "client",
    "scheduled": "scheduled",
    "phone": "phone",
    "status": "status",
    "tech": "tech",
    "address": "address",
    "city": "city",
    "state": "state",
    "zip": "zip_code",
    "zipcode": "zip_code",
    "postalcode": "zip_code",
    "source": "source",
    "type": "type",
    "jobtype": "type",
    "email": "email",
}
REQUIRED = {"client": "Client", "scheduled": "Scheduled", "phone": "Phone"}

# Workiz statuses (and their common sub-statuses) → ours.
STATUSES = {
    "": Status.SUBMITTED,
    "submitted": Status.SUBMITTED,
    "scheduled": Status.SUBMITTED,
    "in progress": Status.IN_PROGRESS,
    "inprogress": Status.IN_PROGRESS,
    "deposit": Status.DEPOSIT,
    "pending": Status.PENDING,
    "done": Status.DONE,
    "done pending approval": Status.DONE,
    "completed": Status.DONE,
    "canceled": Status.CANCELLED,
    "cancelled": Status.CANCELLED,
}
SCHEDULED_FORMATS = (
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M%p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%b %d %Y %I:%M %p",
)
WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)

Row = tuple[int, dict[str, str]]


def _text(value) -> str:
    """A cell as text: whole floats lose their '.0' (phones and ZIPs typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def read_rows(uploaded_file) -> list[Row]:
    """(spreadsheet row number, {column: text}) for every non-blank row of a Workiz export.

    Raises ValueError with a sentence for the user for a file that isn't .xlsx / .csv,
    is over 5 MB or 5,000 rows, or lacks the Client, Scheduled or Phone column.
    """
    reader = spreadsheets.open_rows(uploaded_file, max_bytes=MAX_BYTES)
    with closing(reader) as cells:
        headers = [COLUMNS.get(normalize_header(cell), "") for cell in next(cells, ())]
        missing = [label for name, label in REQUIRED.items() if name not in headers]
        if missing:
            raise ValueError(
                f"This doesn't look like a Workiz export: no {', '.join(missing)} column."
            )
        rows = []
        for number, values in enumerate(cells, start=2):
            texts = [_text(value) for value in values]
            if not any(texts):
                continue
            if len(rows) == MAX_ROWS:
                raise ValueError(f"The file has more than {MAX_ROWS:,} rows. Split it.")
            row = {}
            for header, text in zip(headers, texts, strict=False):
                if header and not row.get(header):
                    row[header] = text
            rows.append((number, row))
    if not rows:
        raise ValueError("The file has a header row but no jobs under it.")
    return rows


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass
class Mapping:
    """The user's picks for values no record matched, keyed by `_key(value)`.

    A tech mapped to None (or not mapped) leaves the job unassigned; a source or type
    left unmapped skips its rows.
    """

    techs: dict[str, Contractor | None] = field(default_factory=dict)
    sources: dict[str, JobPartner] = field(default_factory=dict)
    types: dict[str, JobType] = field(default_factory=dict)


class _Lookups:
    """Contractors, partners and job types by name, read once per import."""

    def __init__(self, mapping: Mapping):
        self.techs = {_key(c.name): c for c in Contractor.objects.all()} | mapping.techs
        self.sources = {_key(p.name): p for p in JobPartner.objects.all()} | mapping.sources
        self.types = {_key(t.label): t for t in JobType.objects.all()} | mapping.types


@dataclass
class Unmatched:
    techs: list[str]
    sources: list[str]
    types: list[str]

    def __bool__(self) -> bool:
        return bool(self.techs or self.sources or self.types)


def unmatched(rows: list[Row]) -> Unmatched:
    """Each distinct Tech / Source / Type value no record matches by name, once, in file
    order: what the mapping step asks about."""
    lookups = _Lookups(Mapping())
    found = {"tech": {}, "source": {}, "type": {}}
    known = {"tech": lookups.techs, "source": lookups.sources, "type": lookups.types}
    for _, row in rows:
        for column, values in found.items():
            value = " ".join(row.get(column, "").split())
            if value and _key(value) not in known[column]:
                values.setdefault(_key(value), value)
    return Unmatched(
        techs=list(found["tech"].values()),
        sources=list(found["source"].values()),
        types=list(found["type"].values()),
    )


def split_client(client: str) -> tuple[str, str]:
    """'Emily R. Harrison' → ('Emily R.', 'Harrison'): a middle name stays in First name."""
    words = client.split()
    if len(words) < 2:
        return " ".join(words), ""
    return " ".join(words[:-1]), words[-1]


def parse_scheduled(raw: str, zone: ZoneInfo) -> datetime.datetime:
    """A Workiz 'Scheduled' cell (US or ISO format, an optional weekday) in local time."""
    text = WEEKDAY.sub("", " ".join(raw.split()))
    try:
        parsed = parse_datetime(text)
    except ValueError:  # well-formed but impossible, e.g. month 13
        parsed = None
    for scheduled_format in SCHEDULED_FORMATS if parsed is None else ():
        try:
            parsed = datetime.datetime.strptime(text, scheduled_format)
            break
        except ValueError:
            continue
    if parsed is None:
        raise DomainError(f"Scheduled '{raw}' is not a date and time.")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=zone)


def _point(row: dict) -> tuple[float, float] | None:
    """The row's ZIP centre (offline), or None when its ZIP is missing or unknown."""
    place = geo.zip_info(row.get("zip_code", ""))
    return None if place is None or place.lat is None else (place.lat, place.lng)


def _build(
    row: dict,
    *,
    office: Office,
    company: str,
    lookups: _Lookups,
    areas: dict[tuple[float, float], ServiceArea | None],
) -> Job:
    """Validate one row (reads only) into an unsaved job; DomainError says why not."""
    status = STATUSES.get(_key(row.get("status", "")))
    if status is None:
        raise DomainError(f"Unknown Workiz status '{row['status']}'.")
    source_name = row.get("source", "")
    if not source_name:
        raise DomainError("No Source (Job Partner).")
    source = lookups.sources.get(_key(source_name))
    if source is None:
        raise DomainError(f"Source '{source_name}' isn't mapped to a Job Partner.")
    type_name = row.get("type", "")
    if not type_name:
        raise DomainError("No Type (job type).")
    job_type = lookups.types.get(_key(type_name))
    if job_type is None:
        raise DomainError(f"Type '{type_name}' isn't mapped to a job type.")
    first_name, last_name = split_client(row.get("client", ""))
    if not first_name:
        raise DomainError("No Client name.")
    if not row.get("scheduled"):
        raise DomainError("No Scheduled date.")
    zone = ZoneInfo(zone_for(zip_code=row.get("zip_code", ""), state=row.get("state", "")))
    email = row.get("email", "")
    job = build_job(
        office=office,
        first_name=first_name,
        last_name=last_name,
        phone=row.get("phone", ""),
        email=email[:254] if "@" in email else "",
        street=row.get("address", ""),
        city=row.get("city", ""),
        state=row.get("state", ""),
        zip_code=row.get("zip_code", ""),
        job_type=job_type,
        source=source,
        company=company,
        contractor=lookups.techs.get(_key(row.get("tech", ""))),
        starts_at=parse_scheduled(row["scheduled"], zone),
        service_area=areas.get(_point(row)),
        auto_area=False,  # looked up once per distinct ZIP by import_jobs
    )
    job.status = status
    return job


def import_jobs(
    *,
    actor,
    rows: list[Row],
    office: Office,
    company: str = "",
    mapping: Mapping | None = None,
) -> ImportResult:
    """Create a job per valid row into `office`; list every other row with its reason.

    Needs jobs.import and an office of the actor's with the Jobs feature on (DomainError
    before anything is written). Each job takes a fresh JOB-#### (Workiz's Job # is
    ignored) in its own transaction, so a bad row never rolls back the good ones. Each
    gets the "📥 Imported from Workiz" note and an audit row; no job events fire, only
    one `job.imported` for the batch (live sync).
    """
    require(actor, "jobs.import")
    check_office(actor, office)
    lookups = _Lookups(mapping or Mapping())
    # The closest service area within 50 miles, once per distinct ZIP (two queries in all).
    areas = closest_areas(point for _, row in rows if (point := _point(row)) is not None)
    result = ImportResult(noun="job")
    for number, row in rows:
        try:
            with transaction.atomic():
                job = _build(row, office=office, company=company, lookups=lookups, areas=areas)
                if job.status == Status.PENDING:
                    job.follow_up_at = timezone.now() + PENDING_FOLLOW_UP
                insert_job(job, actor=actor)
                workiz = f" (Workiz job #{row['job_number']})" if row.get("job_number") else ""
                record(job, kind="sys", body=f"📥 Imported from Workiz{workiz}", actor=actor)
                audit(
                    "job.created",
                    f"{job.display_id} imported from Workiz: {job.full_name}",
                    actor=actor,
                    office=office,
                    metadata={"job_id": job.pk, "via": "workiz", "workiz": row.get("job_number")},
                )
        except DomainError as exc:
            result.skipped.append((number, exc.message))
        else:
            result.created.append(job)
    if result.created:
        events.emit(
            "job.imported",
            office=office,
            actor=actor,
            job_ids=[job.pk for job in result.created],
        )
    return result
