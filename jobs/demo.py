"""Demo jobs for `make run`: three weeks of bookings around today in the Jobs offices, made
through the real actions (so numbers, timelines and events are real), in every status,
with a few that need attention."""

import datetime
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from contractors.models import JobPartner, JobType, ServiceArea
from crm.accounts.models import Office
from jobs import services
from jobs.models import CancelReason, Job, JobTag, Status
from jobs.services.placing import closest_areas

CLIENTS = [
    ("Mike", "Patel", "+13055550101", "1450 NW 7th St", "33125"),
    ("Carmen", "Diaz", "+13055550102", "880 W 29th St", "33012"),
    ("Sarah", "Kim", "+19545550103", "2101 N Ocean Dr", "33019"),
    ("Emily", "Harrison", "+15615550104", "377 NE 6th Ave", "33444"),
    ("David", "Cohen", "+13055550105", "9001 SW 107th Ave", "33176"),
    ("Luis", "Moreno", "+17865550106", "15 Crandon Blvd", "33149"),
    ("Grace", "Okafor", "+14045550107", "620 Peachtree St NE", "30308"),
    ("Tom", "Walsh", "+16785550108", "3015 Old Alabama Rd", "30022"),
    ("Nina", "Rossi", "+17705550109", "145 Pike St", "30045"),
    ("Omar", "Haddad", "+19545550110", "7700 W Commercial Blvd", "33351"),
    ("Julia", "Santos", "+13055550111", "10800 SW 216th St", "33170"),
    ("Kevin", "Brown", "+15615550112", "501 S Flagler Dr", "33401"),
]
CANCEL_REASONS = ["Customer cancelled", "Price too high", "Duplicate booking", "No show"]
TAGS = [("VIP", "#7c3aed"), ("Warranty", "#0891b2"), ("Needs parts", "#ea580c")]
# (day offset, hour, status) — today is 0; the rest fall around it.
PLAN = [
    (-9, 9, Status.DONE),
    (-8, 13, Status.DONE),
    (-7, 10, Status.CANCELLED),
    (-6, 15, Status.DONE),
    (-5, 9, Status.DEPOSIT),  # expected completion passed: UPDATE NEEDED
    (-4, 11, Status.PENDING),  # follow-up passed: FOLLOW UP NEEDED
    (-3, 14, Status.DONE),
    (-2, 9, Status.IN_PROGRESS),  # window long over: ASK FOR UPDATE
    (-1, 16, Status.DEPOSIT),
    (-1, 10, Status.DONE),
    (0, 8, Status.IN_PROGRESS),
    (0, 12, Status.SUBMITTED),
    (0, 14, Status.SUBMITTED),  # no contractor: FIND CONTRACTOR
    (1, 9, Status.SUBMITTED),
    (1, 13, Status.SUBMITTED),
    (2, 10, Status.SUBMITTED),
    (2, 15, Status.PENDING),
    (3, 9, Status.SUBMITTED),
    (4, 11, Status.SUBMITTED),
    (5, 14, Status.SUBMITTED),
    (6, 10, Status.SUBMITTED),
    (8, 9, Status.SUBMITTED),
]


def seed_job_settings(actor) -> None:
    for order, label in enumerate(CANCEL_REASONS):
        if not CancelReason.objects.filter(label=label).exists():
            services.save_cancel_reason(actor=actor, label=label, sort_order=order)
    for label, color in TAGS:
        if not JobTag.objects.filter(label=label).exists():
            services.save_job_tag(actor=actor, label=label, color=color)


def seed_jobs(actor) -> None:
    rng = random.Random(7)
    offices = list(Office.objects.filter(is_jobs_enabled=True).order_by("name"))
    garage = JobType.objects.get(label="Garage Door")
    kinds = list(JobType.objects.all())
    partners = list(JobPartner.objects.all())
    zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    for index, (offset, hour, status) in enumerate(PLAN):
        first, last, phone, street, zip_code = CLIENTS[index % len(CLIENTS)]
        day = today + datetime.timedelta(days=offset)
        starts_at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
        job_type = rng.choice(kinds) if index % 4 == 3 else garage
        area = _nearest_area(zip_code)
        job = services.create_job(
            actor=actor,
            office=offices[index % len(offices)],
            first_name=first,
            last_name=last,
            phone=phone,
            street=street,
            zip_code=zip_code,
            job_type=job_type,
            source=partners[index % len(partners)],
            service_area=area,
            starts_at=starts_at,
            notes="Gate code 1234." if index % 4 == 0 else "",
        )
        job = _dispatch(job, actor, rng, leave_unassigned=(offset, hour) == (0, 14))
        _advance(job, actor, status, rng)
    _rebook_one(actor)
    _spread_bookings()


def _spread_bookings() -> None:
    """Date each booking some days before its job, over the last ~two months (the demo
    makes them all now): the 📊 Jobs report counts jobs by the day they were created."""
    now = timezone.now()
    for index, job in enumerate(Job.objects.order_by("number")):
        booked = min(job.starts_at - datetime.timedelta(hours=2), now)
        booked -= datetime.timedelta(days=(index * 5) % 50, hours=index % 7)
        Job.objects.filter(pk=job.pk).update(created_at=booked)


def _nearest_area(zip_code: str) -> ServiceArea | None:
    areas = closest_areas(zip_code=zip_code)
    return areas[0]["area"] if areas else None


def _dispatch(job, actor, rng, *, leave_unassigned: bool) -> Job:
    choices = list(services.contractor_choices(job))
    if leave_unassigned or not choices:
        return job
    job = services.assign_contractor(job=job, actor=actor, contractor=rng.choice(choices))
    if rng.random() < 0.6:
        job = services.k_confirm(job=job, actor=actor)
    return job


def _advance(job, actor, status: str, rng) -> None:
    now = timezone.now()
    fields = {
        Status.IN_PROGRESS: {"note": "On the way."},
        Status.DEPOSIT: {
            "note": "Deposit taken, parts ordered.",
            "deposit_amount": rng.choice([150, 200, 350]),
            "expected_completion": (job.starts_at + datetime.timedelta(days=2)).date(),
        },
        Status.PENDING: {
            "note": "Customer deciding on the quote.",
            "follow_up_at": max(
                job.starts_at + datetime.timedelta(days=1), now - datetime.timedelta(hours=5)
            ),
        },
        Status.DONE: {
            "closing_total": rng.choice([380, 450, 620, 1250]),
            "parts_total": rng.choice([45, 80, 120]),
        },
        Status.CANCELLED: {"cancel_reason": CancelReason.objects.order_by("sort_order").first()},
    }
    if status == Status.SUBMITTED:
        return
    if status in (Status.DEPOSIT, Status.DONE, Status.PENDING) and job.contractor is None:
        return
    services.change_status(job=job, actor=actor, status=status, **fields[status])


def _rebook_one(actor) -> None:
    job = (
        Job.objects.filter(status=Status.SUBMITTED, contractor__isnull=False)
        .order_by("-starts_at")
        .first()
    )
    if job:
        later = datetime.timedelta(days=1)
        services.rebook(
            job=job, actor=actor, starts_at=job.starts_at + later, ends_at=job.ends_at + later
        )
