"""Creating jobs: New Job, from a converted lead, and (without events) the Workiz import."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Max

from contractors.models import Contractor, JobPartner, JobType, ServiceArea
from crm import geo, phones
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.permissions import check as require
from crm.timeline.services import audit, record
from crm.timezones import zone_for
from jobs.models import FIRST_JOB_NUMBER, Job, JobCounter, JobTag, Status
from jobs.payloads import SEPARATOR
from jobs.services.areas import closest_area
from jobs.services.common import emit_for
from jobs.services.dispatch import check_eligible, snapshot_profit_share
from leads.models import Lead
from leads.models import Status as LeadStatus

DEFAULT_LENGTH = datetime.timedelta(hours=2)  # spec: "end time auto-fills as start + 2 hours"


def take_number() -> int:
    """The next JOB-#### number; call inside the transaction that saves the job.

    The UPDATE comes first so it takes the counter row's write lock at once: a concurrent
    create waits for our commit and then reads our increment, so numbers never repeat,
    and a rolled-back create gives its number back (no gaps).
    """
    if JobCounter.objects.filter(pk=1).update(next_number=F("next_number") + 1):
        return JobCounter.objects.get(pk=1).next_number - 1
    # The migration makes the row; a flushed test database has none, so carry on from
    # the highest number in use. A concurrent create may insert the row first: then take
    # the next number from it.
    highest = Job.objects.aggregate(highest=Max("number"))["highest"]
    number = max(FIRST_JOB_NUMBER, (highest or 0) + 1)
    try:
        with transaction.atomic():
            JobCounter.objects.create(pk=1, next_number=number + 1)
    except IntegrityError:
        return take_number()
    return number


def check_office(actor, office: Office) -> None:
    if actor is not None and office.pk not in actor.office_ids:
        raise DomainError(f"You can't book jobs in {office.name}: it is not one of your offices.")
    if not office.is_jobs_enabled:
        raise DomainError(f"The Jobs feature is off for {office.name}.")


def build_job(
    *,
    office: Office,
    first_name: str,
    phone: str,
    job_type: JobType | None,
    source: JobPartner | None,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None = None,
    last_name: str = "",
    email: str = "",
    street: str = "",
    unit: str = "",
    city: str = "",
    state: str = "",
    zip_code: str = "",
    lat: float | None = None,
    lng: float | None = None,
    service_area: ServiceArea | None = None,
    auto_area: bool = True,
    company: str = "",
    contractor: Contractor | None = None,
    notes: str = "",
) -> Job:
    """Validate a new job's fields (reads only) and return it unsaved and unnumbered.

    Raises DomainError for a missing first name, phone, job type, source or date, a
    phone that isn't a valid US number, an end before the start.
    """
    if not first_name.strip():
        raise DomainError("A job needs the client's first name.")
    try:
        phone = phones.normalize_phone(phone)
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    if job_type is None:
        raise DomainError("Pick the job type.")
    if source is None:
        raise DomainError("Pick the job source (Job Partner).")
    if starts_at is None:
        raise DomainError("Pick the date and time of the job.")
    ends_at = ends_at or starts_at + DEFAULT_LENGTH
    if ends_at <= starts_at:
        raise DomainError("The job must end after it starts.")
    job = Job(
        office=office,
        first_name=first_name.strip()[:80],
        last_name=last_name.strip()[:80],
        phone=phone,
        phone_last10=phones.last10(phone),
        email=email.strip(),
        job_type=job_type,
        source=source,
        company=(company or office.name).strip()[:120],
        contractor=contractor,
        starts_at=starts_at,
        ends_at=ends_at,
        status=Status.SUBMITTED,
        notes=notes.strip(),
    )
    apply_address(
        job,
        street=street,
        unit=unit,
        city=city,
        state=state,
        zip_code=zip_code,
        lat=lat,
        lng=lng,
        service_area=service_area,
        auto_area=auto_area,
    )
    snapshot_profit_share(job)
    return job


def apply_address(
    job: Job,
    *,
    street: str,
    unit: str,
    city: str,
    state: str,
    zip_code: str,
    lat: float | None,
    lng: float | None,
    service_area: ServiceArea | None,
    auto_area: bool = True,
) -> None:
    """Set the address and what it implies: city/state and coordinates from the ZIP when
    not given (a typed address is placed offline by its ZIP), the local time zone, and
    the service area's area code and office address (snapshots).

    Without a service area, a placed job gets the closest one within 50 miles (the one
    its contractor covers first); `auto_area=False` when the caller already looked (the
    Workiz import looks once per distinct ZIP)."""
    zip_info = geo.zip_info(zip_code)
    if zip_info:
        zip_code, city, state = zip_info.zip_code, city or zip_info.city, state or zip_info.state
        if lat is None or lng is None:
            lat, lng = zip_info.lat, zip_info.lng
    job.street, job.unit = street.strip()[:200], unit.strip()[:40]
    job.city, job.state = city.strip()[:80], state.strip().upper()[:2]
    job.zip_code, job.lat, job.lng = (zip_code or "").strip()[:10], lat, lng
    job.timezone = zone_for(zip_code=job.zip_code, state=job.state)
    if service_area is None and auto_area and lat is not None and lng is not None:
        service_area = closest_area(float(lat), float(lng), contractor=job.contractor)
    job.service_area = service_area
    job.area_code = service_area.area_code if service_area else ""
    job.office_address = service_area.office_address if service_area else ""


def insert_job(job: Job, *, actor, tags: Iterable[JobTag] = ()) -> Job:
    """Number and save a built job (inside the caller's transaction)."""
    job.number = take_number()
    job.created_by = actor
    job.save()
    tags = list(tags)
    if tags:
        job.tags.set(tags)
    # What `locked` annotates: the event snapshot reads the tags without a query.
    job.tag_labels = SEPARATOR.join(tag.label for tag in tags) or None
    return job


@transaction.atomic
def create_job(*, actor, tags: Iterable[JobTag] = (), **fields) -> Job:
    """New Job: validate, number, save as Submitted.

    Needs jobs.create, an office of the actor's with the Jobs feature on, and
    `build_job`'s fields; a contractor must cover the service area and handle the job
    type (profit share is snapshotted). Every check runs before the number is taken, so
    a refused job burns no number. Writes the timeline and audit; emits `job.created`
    with its snapshot (Workiz + BookBack-jobs webhooks, job_created automations).
    """
    return _create(actor=actor, tags=tags, lead=None, fields=fields)


def _create(*, actor, tags: Iterable[JobTag], lead: Lead | None, fields: dict) -> Job:
    require(actor, "jobs.create")
    check_office(actor, fields["office"])
    job = build_job(**fields)
    if job.contractor:
        check_eligible(job, job.contractor)
    job.lead = lead
    insert_job(job, actor=actor, tags=tags)
    via = f" from lead {lead.display_id}" if lead else ""
    record(job, kind="sys", body=f"🛠 Job created (Submitted){via}", actor=actor)
    audit(
        "job.created",
        f"{job.display_id} created: {job.full_name} ({job.office.name})",
        actor=actor,
        office=job.office,
        metadata={"job_id": job.pk, "number": job.number, "lead_id": lead.pk if lead else None},
    )
    emit_for(job, "job.created", actor=actor)
    return job


@transaction.atomic
def create_job_from_lead(*, actor, lead: Lead, tags: Iterable[JobTag] = (), **fields) -> Job:
    """Create the job of a Converted lead (fields as `create_job`; `initial_from_lead`
    pre-fills them). Links the job to the lead and writes
    "🛠 Job JOB-#### created from this lead" on the lead's timeline."""
    if lead.status != LeadStatus.CONVERTED:
        raise DomainError("Convert the lead before creating its job.")
    job = _create(actor=actor, tags=tags, lead=lead, fields=fields)
    record(
        lead,
        kind="sys",
        body=f"🛠 Job {job.display_id} created from this lead",
        actor=actor,
        data={"job_id": job.pk},
    )
    return job


def initial_from_lead(lead: Lead) -> dict:
    """The New Job form pre-filled from a lead: name, phone, email, office, source (the
    lead's partner, when it is a Job Partner) and notes carrying the ZIP and the service."""
    notes = [f"ZIP: {lead.zip_code}" if lead.zip_code else ""]
    notes.append(f"Requested service: {lead.service_type}" if lead.service_type else "")
    source = (
        JobPartner.objects.filter(name__iexact=lead.partner_name).first()
        if lead.partner_name
        else None
    )
    return {
        "office": lead.office,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "phone": lead.phone,
        "email": lead.email,
        "zip_code": lead.zip_code,
        "city": lead.city,
        "state": lead.state,
        "source": source,
        "notes": "\n".join(line for line in notes if line),
    }
