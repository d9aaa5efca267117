"""Every list page but /leads at scale, against a signed-in bare view over HTTP
(tests/bench/scale.py): 500,000 jobs (two years and a month ahead, a realistic mix of statuses
over four offices, Deposit/Done with money, some archived), 5,000,000 timeline entries and
500,000 audit events. The Jobs board and 🚨 Needs Attention ≤ 6× the bare view, /finance with
totals ≤ 6×, the Timeline's first page ≤ 4×; those and Contractors, Service Areas, the Audit
log and the Archived modals (jobs and leads) run no Seq Scan over a big table and no sort of
more than 1,000 rows; exact query counts.

Sizes shrink for a quick run: BENCH_LISTS_SCALE=0.01. BENCH_LISTS_KEEP=1 leaves the rows in
place (with --reuse-db the next run skips the seeding)."""

import datetime
import gc
import os
import random
import time
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from contractors.models import Contractor, ServiceArea
from crm import livesync, pagination
from crm.accounts.models import Office, Role, User
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import FIRST_JOB_NUMBER, Job, Status
from leads.models import Lead
from tests.bench import scale
from tests.bench.seed import FIRST, LAST, seed_job_settings, seed_leads
from tests.bench.test_jobs import ADDRESSES, status_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.bench, pytest.mark.urls("tests.bench.urls")]
SCALE = float(os.environ.get("BENCH_LISTS_SCALE", "1"))
KEEP = os.environ.get("BENCH_LISTS_KEEP") == "1"
JOBS = int(500_000 * SCALE)
TIMELINE = int(5_000_000 * SCALE)
AUDIT = int(500_000 * SCALE)
LEADS = int(200_000 * SCALE)  # one in twenty archived
CONTRACTORS, AREAS, DAYS_AHEAD = 300, 400, 30
BUSINESS = ZoneInfo(settings.BUSINESS_TIME_ZONE)
OWNER = "bench-lists@example.com"
OFFICES = ("Sliding", "Garage", "General", "Joes Doors FL")
BIG_TABLES = scale.BIG_TABLES


def job_rows(offices, contractors, kinds, partners, today, now):
    """Two years back to a month ahead, evenly spread; statuses by age as in test_jobs."""
    rng = random.Random(23)
    per_day = max(1, JOBS // (2 * 365 + DAYS_AHEAD))
    first_day = DAYS_AHEAD - JOBS // per_day
    for number in range(JOBS):
        day_offset = first_day + number * (DAYS_AHEAD - first_day) // JOBS
        street, city, zip_code, zone, lat, lng = ADDRESSES[number % len(ADDRESSES)]
        local_day = today + datetime.timedelta(days=day_offset)
        starts_at = datetime.datetime.combine(
            local_day, datetime.time(rng.randint(8, 17), rng.choice((0, 30))), ZoneInfo(zone)
        )
        status = status_for(day_offset, rng)
        assigned = rng.random() < (0.5 if status in (Status.SUBMITTED, Status.CANCELLED) else 0.97)
        archived = day_offset < -60 and rng.random() < 0.03
        phone = f"+1305{number:07d}"
        yield (
            FIRST_JOB_NUMBER + number,
            uuid.UUID(int=rng.getrandbits(128), version=4),
            offices[number % len(offices)].pk,
            FIRST[number % len(FIRST)],
            LAST[(number // 7) % len(LAST)],
            phone,
            phone[-10:],
            f"job{number}@example.com",
            street,
            city,
            "FL",
            zip_code,
            lat,
            lng,
            zone,
            kinds[number % len(kinds)].pk,
            partners[number % len(partners)].pk,
            "BookBack Doors",
            contractors[number % len(contractors)].pk if assigned else None,
            starts_at,
            starts_at + datetime.timedelta(hours=2),
            status,
            min(starts_at, now),
            (
                local_day + datetime.timedelta(days=rng.randint(7, 40))
                if status == Status.DEPOSIT
                else None
            ),
            Decimal("150.00") if status == Status.DEPOSIT else None,
            (
                max(starts_at, now) + datetime.timedelta(hours=rng.randint(-120, 240))
                if status == Status.PENDING
                else None
            ),
            Decimal("480.00") if status == Status.DONE else None,
            Decimal("60.00") if status == Status.DONE else None,
            archived,
            now - datetime.timedelta(minutes=number) if archived else None,
        )


JOB_COLUMNS = [
    "number",
    "uuid",
    "office",
    "first_name",
    "last_name",
    "phone",
    "phone_last10",
    "email",
    "street",
    "city",
    "state",
    "zip_code",
    "lat",
    "lng",
    "timezone",
    "job_type",
    "source",
    "company",
    "contractor",
    "starts_at",
    "ends_at",
    "status",
    "status_changed_at",
    "expected_completion",
    "deposit_amount",
    "follow_up_at",
    "closing_total",
    "parts_total",
    "is_archived",
    "archived_at",
]
KINDS = [kind for kind, _ in TimelineEntry.Kind.choices]
BODIES = {
    "status": "Status → Done",
    "call": "Called, no answer",
    "note": "Customer asked for a Saturday slot",
    "sys": "Reminder sent",
    "claim": "Lead claimed by Dana",
}


def timeline_rows(offices, actor, now):
    """Newest first, ~7 a minute back through a year and more: leads and jobs alike."""
    rng = random.Random(31)
    for number in range(TIMELINE):
        kind = KINDS[rng.randrange(len(KINDS))]
        is_job = number % 3 == 0
        yield (
            "job" if is_job else "lead",
            number // 5 + 1,
            f"{FIRST[number % len(FIRST)]} {LAST[(number // 3) % len(LAST)]}",
            kind,
            offices[number % len(offices)].pk,
            actor.pk if kind != "sys" else None,
            BODIES[kind],
            {},
            now - datetime.timedelta(seconds=number * 9 + rng.randint(0, 8)),
            is_job and kind == "status" and number % 2 == 0,
        )


AUDIT_KINDS = [
    AuditEvent.Kind.LEAD_CREATED,
    AuditEvent.Kind.LEAD_STATUS,
    AuditEvent.Kind.JOB_STATUS,
    AuditEvent.Kind.JOB_CREATED,
    AuditEvent.Kind.JOB_MONEY,
]


def audit_rows(offices, actor, now):
    rng = random.Random(37)
    for number in range(AUDIT):
        office = offices[number % len(offices)]
        yield (
            AUDIT_KINDS[rng.randrange(len(AUDIT_KINDS))],
            actor.pk,
            actor.email,
            office.pk,
            office.name,
            f"Record {number} changed",
            {"n": number},
            now - datetime.timedelta(seconds=number * 60 + rng.randint(0, 59)),
        )


def is_seeded() -> bool:
    return Job.objects.filter(number=FIRST_JOB_NUMBER + JOBS - 1).exists()


def truncate() -> None:
    with connection.cursor() as cursor:
        for model in (Job, TimelineEntry, AuditEvent, Lead):
            table = connection.ops.quote_name(model._meta.db_table)
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table} CASCADE")
            else:
                model.objects.all().delete()
    Contractor.objects.filter(name__startswith="Bench Contractor ").delete()
    ServiceArea.objects.filter(label__startswith="Bench Area ").delete()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        start = time.perf_counter()
        offices = [Office.objects.get_or_create(name=name)[0] for name in OFFICES]
        Office.objects.filter(pk__in=[office.pk for office in offices]).update(is_jobs_enabled=True)
        owner = User.objects.filter(email=OWNER).first() or UserFactory(
            role=Role.OWNER, email=OWNER
        )
        if not is_seeded():
            truncate()
            rng = random.Random(5)
            kinds, partners, contractors = seed_job_settings(rng, CONTRACTORS)
            ServiceArea.objects.bulk_create(
                ServiceArea(
                    label=f"Bench Area {n}",
                    zip_code=f"{33000 + n}",
                    lat=25 + n / 100,
                    lng=-80 - n / 100,
                )
                for n in range(AREAS)
            )
            now = timezone.now()
            today = now.astimezone(BUSINESS).date()
            rows = job_rows(offices, contractors, kinds, partners, today, now)
            print(f"\njobs: {scale.bulk_copy(Job, rows, JOB_COLUMNS):,}", end="", flush=True)
            rows = timeline_rows(offices, owner, now)
            columns = [
                "subject_type",
                "subject_id",
                "subject_label",
                "kind",
                "office",
                "actor",
                "body",
                "data",
                "created_at",
                "staff_only",
            ]
            print(f"; timeline: {scale.bulk_copy(TimelineEntry, rows, columns):,}", end="")
            columns = [
                "kind",
                "actor",
                "actor_label",
                "office",
                "office_label",
                "text",
                "metadata",
                "created_at",
            ]
            rows = audit_rows(offices, owner, now)
            print(f"; audit: {scale.bulk_copy(AuditEvent, rows, columns):,}", end="")
            seed_leads(LEADS)
            archived = Lead.objects.filter(pk__in=Lead.objects.order_by("?")[: LEADS // 20])
            archived.update(is_archived=True, archived_at=now)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            print(f"; seeded in {time.perf_counter() - start:.0f} s")
        gc.collect()
        yield {"owner": owner, "cookies": scale.session_cookie(owner), "offices": offices}
        if not KEEP:
            truncate()


@pytest.fixture(scope="module")
def base_url(seeded):
    with scale.served() as url:
        yield url


def url_of(name: str, query: str = "") -> str:
    from django.urls import reverse

    return reverse(name) + (f"?{query}" if query else "")


PAGES = {
    # label: (path, pinned query count, target ratio to the bare view or None)
    "Jobs board": ("/jobs", 3, 6),
    "🚨 Needs Attention": ("/jobs?attention=1", 3, 6),
    "/finance with totals": ("/finance", 3, 6),
    "Timeline, first page": ("/timeline", 3, 4),
    "Audit log, first page": ("/audit-log", 3, None),
    "Contractors": ("/contractors", 6, None),
    "Service Areas": ("/service-areas", 4, None),
    "📦 Archived jobs": ("/jobs/archived", 3, None),
    "📦 Archived leads": ("/leads/archived", None, None),
}


def deep_pages() -> dict:
    """The Timeline and the Audit log scrolled back ~80% of the way: a cursor costs what the
    first page costs."""
    pages = {}
    for label, model, path, total in (
        ("Timeline", TimelineEntry, "/timeline", TIMELINE),
        ("Audit log", AuditEvent, "/audit-log", AUDIT),
    ):
        # A timestamp ~80% back, then the newest row at or before it: no OFFSET over millions.
        oldest = model.objects.order_by("created_at")[0]
        newest = model.objects.order_by("-created_at")[0]
        stamp = newest.created_at - (newest.created_at - oldest.created_at) * 0.8
        row = model.objects.filter(created_at__lte=stamp).order_by("-created_at", "-pk")[0]
        pages[f"{label}, {int(total * 0.8):,} rows back"] = (
            f"{path}?cursor={pagination._encode(row)}",
            3,
            4 if model is TimelineEntry else None,
        )
    return pages


@pytest.mark.django_db
def test_list_pages_stay_near_the_bare_view_and_read_only_what_they_show(client, seeded, base_url):
    pages = {**PAGES, **deep_pages()}
    # Over HTTP first: this test's transaction must hold no row lock the served process waits on
    # (signing in the test client updates the user's last_login).
    times = scale.measure(
        base_url, seeded["cookies"], {label: path for label, (path, _, _) in pages.items()}
    )
    client.force_login(seeded["owner"])
    # The SQL of each page as served again (the HTTP rounds warmed /finance's cached totals;
    # a write in scope makes the next load sum afresh, timed apart below).
    statements = {label: scale.statements_of(client, path) for label, (path, _, _) in pages.items()}
    print(f"\n{JOBS:,} jobs, {TIMELINE:,} timeline entries, {AUDIT:,} audit events")
    misses, problems = [], []
    for label, (_, pinned, target) in pages.items():
        ratios = scale.report(
            label,
            {
                "page": times[label],
                "bare": times["bare"],
                "sql": scale.replay_ms(statements[label]),
                "queries": len(statements[label]),
            },
        )
        if target and ratios["bare"] > target:
            misses.append(f"{label}: {ratios['bare']:.2f}× > {target}×")
        if pinned is not None and len(statements[label]) != pinned:
            misses.append(f"{label}: {len(statements[label])} queries, pinned at {pinned}")
        problems += [
            f"{label}: {problem}" for problem in scale.plan_problems(statements[label], BIG_TABLES)
        ]
    # /finance after a write in scope: the totals are summed afresh once.
    livesync.bump(office_id=seeded["offices"][0].pk)
    start = time.perf_counter()
    client.get("/finance")
    print(
        f"/finance right after a write (totals summed afresh): "
        f"{(time.perf_counter() - start) * 1000:.0f} ms; {scale.load_average()}"
    )
    print("\n".join(problems))
    assert not problems
    if connection.vendor == "postgresql" and SCALE >= 1:
        assert not misses, misses
