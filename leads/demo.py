"""Demo leads for `make run`: ~60 realistic leads across offices, sources and every status,
and calling hours for every state. Deterministic (seeded), created through the actions."""

import datetime
import random

from django.utils import timezone

from crm.accounts.models import Office, Role, User
from crm.timeline.models import TimelineEntry
from leads import services
from leads.models import (
    BookBackCall,
    CallingHours,
    Lead,
    LeadSource,
    Status,
    add_built_in_sources,
)
from leads.services.calling_hours import US_STATES

# A few states call later on weekdays and keep Sundays short (Sunday-sensitive markets).
SPECIAL_HOURS = {
    "TX": (9, 20, 12, 18),
    "FL": (8, 21, 10, 18),
    "CA": (8, 20, None, None),
    "UT": (9, 20, 12, 17),
}

PEOPLE = [
    ("Maria", "Lopez", "33101"),
    ("James", "Carter", "30303"),
    ("Aisha", "Khan", "77002"),
    ("Robert", "Nguyen", "90210"),
    ("Linda", "Brooks", "60601"),
    ("Carlos", "Mendez", "85004"),
    ("Emily", "Stone", "98101"),
    ("David", "Kim", "10001"),
    ("Sofia", "Rossi", "02134"),
    ("Michael", "Reed", "75201"),
    ("Grace", "Park", "94103"),
    ("Daniel", "Cohen", "33131"),
    ("Olivia", "Hart", "32801"),
    ("Ethan", "Price", "80202"),
    ("Chloe", "Adams", "19103"),
    ("Lucas", "Rivera", "33602"),
    ("Hannah", "Wells", "28202"),
    ("Noah", "Patel", "37203"),
    ("Ava", "Murphy", "97205"),
    ("Big", "Lou", "33139"),
    ("Carmen", "Diaz", "33125"),
    ("Mike", "Patel", "33301"),
    ("Sarah", "Kim", "33401"),
    ("Tom", "Becker", "48226"),
    ("Nina", "Alvarez", "78701"),
    ("Peter", "Olsen", "55401"),
    ("Rosa", "Gomez", "89101"),
    ("Kevin", "Long", "84101"),
    ("Julia", "Fox", "63101"),
    ("Omar", "Haddad", "21201"),
]
SERVICES = [
    "Sliding door off track",
    "Garage door spring broke",
    "New garage opener",
    "Patio door lock",
    "Door won't close",
    "Replace sliding screen",
    "HVAC not cooling",
    "Garage door noisy",
]
CAMPAIGNS = ["Spring Doors", "Garage Repair FL", "Sliding Door Fix", "Homeowners 35+", ""]


def seed_calling_hours() -> None:
    for state, _name in US_STATES:
        start, end, sunday_start, sunday_end = SPECIAL_HOURS.get(state, (9, 21, None, None))
        CallingHours.objects.update_or_create(
            state=state,
            defaults={
                "start_hour": start,
                "end_hour": end,
                "sunday_start_hour": sunday_start,
                "sunday_end_hour": sunday_end,
            },
        )


def seed_leads(count: int = 60) -> None:
    rng = random.Random(42)
    offices = list(Office.objects.order_by("name"))
    add_built_in_sources(LeadSource)  # a database flushed after its migrations lacks them
    sources = {source.key: source for source in LeadSource.objects.all()}
    source_weights = [
        ("facebook", 5),
        ("google", 3),
        ("lsa", 2),
        ("yelp", 2),
        ("angi", 2),
        ("thumbtack", 1),
        ("website", 1),
        ("nextdoor", 1),
        ("online_booking", 1),
        ("bookback", 1),
    ]
    agents = list(User.objects.filter(role__in=[Role.AGENT, Role.ADMIN]))
    now = timezone.now()
    for number in range(count):
        first, last, zip_code = PEOPLE[number % len(PEOPLE)]
        if number >= len(PEOPLE):
            last = rng.choice(
                ["Miller", "Davis", "Wilson", "Moore", "Taylor", "Anderson", "Thomas", "Jackson"]
            )
        key = rng.choices(
            [key for key, _ in source_weights], [weight for _, weight in source_weights]
        )[0]
        office = offices[number % len(offices)]
        lead = services.create_lead(
            office=office,
            source=sources[key],
            first_name=first,
            last_name=last,
            phone=f"+1305555{1000 + number:04d}",
            email=f"{first.lower()}.{last.lower()}@example.com",
            zip_code=zip_code,
            # Spread over ~60 days, the newest minutes ago: every report period has leads.
            received_at=now - datetime.timedelta(minutes=number * number * 24 + rng.randint(1, 30)),
            service_type=rng.choice(SERVICES),
            campaign=rng.choice(CAMPAIGNS) if key in ("facebook", "google") else "",
            partner_name="GDQ Leads" if number % 7 == 0 else "",
            is_bookback=key == "bookback",
            is_transferred=number % 11 == 3,
            via="webhook",
        )
        _work(lead, number, rng, agents, now)
        _date_the_work(lead, number, now)
    _seed_bookback_calls(now)
    _seed_duplicates(sources, now)


def _date_the_work(lead, number: int, now) -> None:
    """Move the lead's claim, calls and status changes (made just now by the actions) to
    when an agent would have made them: the first some minutes after the lead arrived,
    and for one lead in five the outcome on a later day (the reports' response times,
    follow-up activity and daily charts read these times)."""
    entries = list(
        TimelineEntry.objects.filter(
            subject_type="lead", subject_id=lead.pk, kind__in=["claim", "call", "status"]
        ).order_by("id")
    )
    at = lead.received_at + datetime.timedelta(minutes=2 + number % 37)
    for index, entry in enumerate(entries):
        is_last = index == len(entries) - 1
        if is_last and number % 5 == 0 and len(entries) > 1:
            at += datetime.timedelta(days=1 + number % 3)
        entry.created_at = min(at, now - datetime.timedelta(seconds=len(entries) - index))
        if entry.kind == "claim":
            entry.data = {**entry.data, "at": entry.created_at.isoformat()}
        at += datetime.timedelta(minutes=25 + 70 * index)
    TimelineEntry.objects.bulk_update(entries, ["created_at", "data"])
    claims = [entry for entry in entries if entry.kind == "claim"]
    if claims:
        Lead.objects.filter(pk=lead.pk, claimed_at__isnull=False).update(
            claimed_at=claims[-1].created_at
        )


def _seed_bookback_calls(now) -> None:
    """BookBack AI's posts: one for each BookBack lead when it arrived, and one that
    brought back an old Irrelevant lead a few days ago (🤖 BookBack AI daily chart)."""
    for lead in Lead.objects.filter(source__key="bookback"):
        BookBackCall.objects.create(lead=lead, called_at=lead.received_at)
    old = Lead.objects.filter(status=Status.IRRELEVANT).order_by("received_at").first()
    if old is not None:
        lead = services.reactivate(lead=old, fields={}, payload={}, actor=None)
        BookBackCall.objects.filter(lead=lead, previous_status=Status.IRRELEVANT).update(
            called_at=now - datetime.timedelta(days=3)
        )


def _seed_duplicates(sources: dict, now) -> None:
    """Two people who came in twice through different sources: work for 🔍 Check Duplicates."""
    for number, key in ((12, "yelp"), (21, "google")):
        original = Lead.objects.get(phone=f"+1305555{1000 + number:04d}")
        services.create_lead(
            office=original.office,
            source=sources[key],
            first_name=original.first_name,
            last_name=original.last_name,
            phone=original.phone,
            zip_code=original.zip_code,
            received_at=now - datetime.timedelta(minutes=30 + number),
            via="webhook",
        )


def _work(lead, number: int, rng: random.Random, agents: list, now) -> None:
    """Move a demo lead along the funnel the way agents would have."""
    # Only someone who works the lead's office touches it.
    workers = [user for user in agents if lead.office_id in user.office_ids]
    agent = workers[number % len(workers)] if workers else None
    if agent is None or number < 8:
        if number % 3 == 1 and agent:
            services.claim_lead(lead=lead, actor=agent)
        return  # the newest stay Fresh, some claimed
    bucket = number % 6
    if bucket != 5:
        for _attempt in range(number % 4):  # tried by phone before the outcome
            lead = services.log_call_attempt(lead=lead, actor=agent)
    if bucket == 0:
        # A follow-up that has come due since: set in the future, as an agent must, then
        # aged (the demo's stand-in for the hours that passed).
        services.change_status(
            lead=lead,
            actor=agent,
            status=Status.NEEDS_FOLLOW_UP,
            next_contact_at=now + datetime.timedelta(hours=1),
        )
        Lead.objects.filter(pk=lead.pk).update(
            next_contact_at=now - datetime.timedelta(hours=rng.randint(1, 20))
        )
    elif bucket == 1:
        services.change_status(
            lead=lead,
            actor=agent,
            status=Status.NOT_YET_SCHEDULED,
            next_contact_at=now + datetime.timedelta(hours=rng.randint(2, 48)),
        )
    elif bucket == 2:
        services.change_status(
            lead=lead,
            actor=agent,
            status=Status.CONSULTATION_CALL,
            next_contact_at=now + datetime.timedelta(days=rng.randint(1, 4), hours=2),
        )
    elif bucket == 3:
        services.change_status(lead=lead, actor=agent, status=Status.CONVERTED)
    elif bucket == 4:
        services.change_status(
            lead=lead,
            actor=agent,
            status=Status.IRRELEVANT,
            reason=rng.choice(["Wrong service", "Outside service area", "Prank call"]),
        )
    else:
        services.claim_lead(lead=lead, actor=agent)
