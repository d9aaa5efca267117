"""Bulk data for benchmarks: realistic leads, inserted fast (bulk_create, no per-row actions)."""

import datetime
import random

from django.utils import timezone

from crm.accounts.models import Office
from leads.models import Lead, LeadSource, Status
from tests.factories import lead_source

FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Robert",
    "Linda",
    "Carlos",
    "Emily",
    "David",
    "Sofia",
    "Michael",
    "Grace",
    "Daniel",
    "Olivia",
    "Ethan",
    "Chloe",
    "Lucas",
    "Hannah",
    "Noah",
    "Ava",
    "Omar",
]
LAST = [
    "Lopez",
    "Carter",
    "Khan",
    "Nguyen",
    "Brooks",
    "Mendez",
    "Stone",
    "Kim",
    "Rossi",
    "Reed",
    "Park",
    "Cohen",
    "Hart",
    "Price",
    "Adams",
    "Rivera",
    "Wells",
    "Patel",
    "Murphy",
    "Haddad",
]
ZIPS = [
    ("33101", "Miami", "FL", "America/New_York", "Miami, FL"),
    ("90210", "Beverly Hills", "CA", "America/Los_Angeles", "Los Angeles, CA"),
    ("60601", "Chicago", "IL", "America/Chicago", "Chicago, IL"),
    ("77002", "Houston", "TX", "America/Chicago", "Houston, TX"),
    ("10001", "New York", "NY", "America/New_York", "New York, NY"),
]
STATUSES = (
    [Status.FRESH] * 2
    + [Status.NOT_YET_SCHEDULED, Status.NEEDS_FOLLOW_UP, Status.CONSULTATION_CALL]
    + [Status.CONVERTED] * 3
    + [Status.IRRELEVANT] * 3
)


def seed_leads(total: int, batch: int = 5000) -> list[Office]:
    lead_source()
    offices = [
        Office.objects.get_or_create(name=name)[0]
        for name in ("Sliding", "Garage", "General", "Joes Doors FL")
    ]
    sources = list(LeadSource.objects.all())
    rng = random.Random(7)
    now = timezone.now()
    for start in range(0, total, batch):
        rows = []
        for number in range(start, min(start + batch, total)):
            zip_code, city, state, zone, metro = ZIPS[number % len(ZIPS)]
            status = STATUSES[rng.randrange(len(STATUSES))]
            callback = None
            if status in (
                Status.NOT_YET_SCHEDULED,
                Status.NEEDS_FOLLOW_UP,
                Status.CONSULTATION_CALL,
            ):
                callback = now + datetime.timedelta(hours=rng.randint(-72, 72))
            phone = f"+1305{number:07d}"
            rows.append(
                Lead(
                    office=offices[number % len(offices)],
                    source=sources[number % len(sources)],
                    first_name=FIRST[rng.randrange(len(FIRST))],
                    last_name=LAST[rng.randrange(len(LAST))],
                    phone=phone,
                    phone_last10=phone[-10:],
                    email=f"lead{number}@example.com",
                    zip_code=zip_code,
                    city=city,
                    state=state,
                    timezone=zone,
                    metro=metro,
                    status=status,
                    next_contact_at=callback,
                    received_at=now - datetime.timedelta(minutes=number * 2 + rng.randint(0, 60)),
                    campaign=rng.choice(["Spring Doors", "Garage Repair FL", "", ""]),
                )
            )
        Lead.objects.bulk_create(rows, batch_size=batch)
    return offices


def seed_job_settings(rng: random.Random, contractors: int):
    """The job types, partners and `contractors` contractors the jobs benches book with."""
    from contractors.models import Contractor, JobPartner, JobType

    kinds = [
        JobType.objects.get_or_create(label=label)[0]
        for label in ("Garage Door", "Sliding Door", "Patio Door", "Repair")
    ]
    partners = [
        JobPartner.objects.get_or_create(name=name)[0]
        for name in ("GDQ", "Nehoray", "BookBack", "Door Pros")
    ]
    people = Contractor.objects.bulk_create(
        Contractor(
            name=f"Bench Contractor {n} LLC",
            contact_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            contact_phone=f"+1786{n:07d}",
            profit_share=30,
        )
        for n in range(contractors)
    )
    return kinds, partners, people
