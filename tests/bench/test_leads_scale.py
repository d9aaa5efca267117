"""/leads at 100,000 and at 1,000,000 leads, against a signed-in bare view over HTTP
(tests/bench/scale.py): the first page, status + office, page 400 (keyset), an agent's
scoped first page and a search. Targets (issue 16): each ≤ 6× the bare view at 1M (search
≤ 8×), each at 1M ≤ 1.5× its time at 100k, ≤ 6 queries, no Seq Scan on leads_lead and no
sort of more than 1,000 rows. On SQLite (`make run`'s engine) only 100,000, ≤ 10×.

A realistic mix: two years of leads over eight offices of uneven size; recent leads are
mostly Fresh or waiting on a callback, old ones mostly Converted or Irrelevant, with a tail
of overdue callbacks nobody worked. BENCH_LEADS_SIZES="20000,200000" for a quick run;
BENCH_LEADS_KEEP=1 leaves the leads in place (with --reuse-db, and on SQLite a
SQLITE_TEST_NAME of your own, the next run skips the seeding)."""

import datetime
import gc
import os
import random
import time
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from crm.accounts.models import Office, Role, User
from leads.models import Lead, LeadCounter, LeadSource, Status
from tests.bench import scale
from tests.bench.seed import FIRST, LAST, ZIPS
from tests.factories import UserFactory, lead_source

pytestmark = [pytest.mark.bench, pytest.mark.urls("tests.bench.urls")]
IS_POSTGRES = connection.vendor == "postgresql"
SIZES = [
    int(size)
    for size in os.environ.get(
        "BENCH_LEADS_SIZES", "100000,1000000" if IS_POSTGRES else "100000"
    ).split(",")
]
KEEP = os.environ.get("BENCH_LEADS_KEEP") == "1"
OWNER, AGENT = "leads-bench-owner@example.com", "leads-bench-agent@example.com"
OFFICES = {"Sliding": 30, "Garage": 20, "General": 15, "Joes Doors FL": 10}
OFFICES.update({f"Metro {n}": 25 // 4 for n in range(4)})
COLUMNS = [
    "office",
    "source",
    "first_name",
    "last_name",
    "phone",
    "phone_last10",
    "email",
    "zip_code",
    "city",
    "state",
    "timezone",
    "metro",
    "status",
    "next_contact_at",
    "received_at",
    "campaign",
    "is_transferred",
    "is_bookback",
    "uuid",
]
FIGURES: dict[int, dict] = {}


def lead_rows(start: int, stop: int, offices, sources, now):
    rng = random.Random(start)
    weights = list(OFFICES.values())
    callbacks = [Status.NOT_YET_SCHEDULED, Status.NEEDS_FOLLOW_UP, Status.CONSULTATION_CALL]
    for number in range(start, stop):
        age = datetime.timedelta(minutes=rng.uniform(0, 730 * 24 * 60))
        received_at = now - age
        roll, callback = rng.random(), None
        if age < datetime.timedelta(days=2):
            status = (
                Status.FRESH
                if roll < 0.4
                else rng.choice(callbacks)
                if roll < 0.8
                else Status.CONVERTED
                if roll < 0.9
                else Status.IRRELEVANT
            )
            if status in callbacks:
                callback = now + datetime.timedelta(minutes=rng.randint(-2 * 1440, 3 * 1440))
        else:
            status = (
                Status.FRESH
                if roll < 0.03
                else rng.choice(callbacks)
                if roll < 0.15
                else Status.CONVERTED
                if roll < 0.55
                else Status.IRRELEVANT
            )
            if status in callbacks:  # mostly long overdue; a few snoozed into the future
                hours = rng.randint(1, 24 * 20)
                callback = received_at + datetime.timedelta(hours=hours)
        zip_code, city, state, zone, metro = ZIPS[number % len(ZIPS)]
        phone = f"+1{rng.choice(['305', '786', '954', '213'])}{number:07d}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        yield (
            rng.choices(offices, weights)[0].pk,
            sources[number % len(sources)].pk,
            first,
            last,
            phone,
            phone[-10:],
            f"{first.lower()}.{last.lower()}{number}@example.com",
            zip_code,
            city,
            state,
            zone,
            metro,
            status,
            callback,
            received_at,
            rng.choice(["Spring Doors", "Garage Repair FL", "Patio Promo", "", ""]),
            rng.random() < 0.03,
            rng.random() < 0.05,
            uuid.UUID(int=rng.getrandbits(128), version=4),
        )


def _lead_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX ...) of leads_lead's indexes that no constraint owns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'leads_lead' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        return cursor.fetchall()


def grow_to(total: int, offices, sources) -> None:
    """Add leads until there are `total`; on Postgres by COPY with the indexes dropped and
    rebuilt after (far faster than maintaining 15 of them row by row)."""
    have = Lead.objects.count()
    if have >= total:
        return
    start = time.perf_counter()
    now = timezone.now()
    indexes = _lead_indexes() if IS_POSTGRES else []
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    rows = lead_rows(have, total, offices, sources, now)
    scale.bulk_copy(Lead, rows, COLUMNS)
    with connection.cursor() as cursor:
        if IS_POSTGRES:
            cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE leads_lead" if IS_POSTGRES else "ANALYZE")
    LeadCounter.recount()  # COPY skips save(), which keeps the counters
    print(f"\nseeded {total:,} leads in {time.perf_counter() - start:.0f} s", flush=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        lead_source()
        offices = [Office.objects.get_or_create(name=name)[0] for name in OFFICES]
        sources = list(LeadSource.objects.all())
        owner = User.objects.filter(email=OWNER).first() or UserFactory(
            role=Role.OWNER, email=OWNER
        )
        agent = User.objects.filter(email=AGENT).first() or UserFactory(
            role=Role.AGENT, email=AGENT, offices=[offices[3]]
        )
        yield {
            "offices": offices,
            "sources": sources,
            "owner": owner,
            "agent": agent,
            "cookies": scale.session_cookie(owner),
            "agent_cookies": scale.session_cookie(agent),
        }
        if KEEP:
            return
        with connection.cursor() as cursor:
            if IS_POSTGRES:
                cursor.execute("TRUNCATE leads_lead CASCADE")
            else:
                Lead.objects.all().delete()
        LeadCounter.objects.all().delete()


def page_400(client) -> str:
    """The keyset URL of page 400, reached by following Next 399 times."""
    url = "/leads"
    for _ in range(399):
        response = client.get(url)
        url = "/leads" + response.context["next_url"]
    return url


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size:,}")
def sized(request, world, django_db_blocker):
    """The leads grown to this size (committed: the served process reads them)."""
    with django_db_blocker.unblock():
        grow_to(request.param, world["offices"], world["sources"])
        client = Client()
        client.force_login(world["owner"])
        gc.collect()
        return {"size": request.param, "page_400": page_400(client)}


def run(client, world, sized) -> dict:
    size = sized["size"]
    office = world["offices"][1].pk
    paths = {
        "first page": "/leads",
        "status + office": f"/leads?status=needs_follow_up&office={office}",
        "page 400 (keyset)": sized["page_400"],
        "search ?q=patel": "/leads?q=patel",
        "search ?q=marai (misspelt)": "/leads?q=marai",
    }
    with scale.served() as base_url:
        times = scale.measure(base_url, world["cookies"], paths)
        agent_times = scale.measure(base_url, world["agent_cookies"], {"agent": "/leads"})
    client.force_login(world["owner"])  # after the HTTP timings: it locks the user's row
    statements = {label: scale.statements_of(client, path) for label, path in paths.items()}
    client.force_login(world["agent"])
    statements["agent"] = scale.statements_of(client, "/leads")
    print(f"\n/leads at {size:,} leads ({connection.vendor})")
    figures, problems = {}, []
    for label in [*paths, "agent"]:
        page, bare = (
            (agent_times if label == "agent" else times)[label],
            (agent_times if label == "agent" else times)["bare"],
        )
        ratios = scale.report(
            label,
            {
                "page": page,
                "bare": bare,
                "sql": scale.replay_ms(statements[label]),
                "queries": len(statements[label]),
            },
        )
        figures[label] = {"ms": page, "ratio": ratios["bare"], "queries": len(statements[label])}
        problems += [f"{label}: {problem}" for problem in scale.plan_problems(statements[label])]
    print("\n".join(problems) or "EXPLAIN: no Seq Scan on leads_lead, no sort over 1,000 rows")
    return {"figures": figures, "problems": problems}


@pytest.mark.django_db
def test_leads_dashboard_stays_near_the_bare_view(client, world, sized):
    size = sized["size"]
    result = run(client, world, sized)
    FIGURES[size] = result["figures"]
    assert not result["problems"]
    misses = []
    for label, figure in result["figures"].items():
        if figure["queries"] > 6:
            misses.append(f"{label}: {figure['queries']} queries")
        target = 8 if label.startswith("search") else 6 if IS_POSTGRES else 10
        # On SQLite the spec asks a substring match of the search, no index: not held to it.
        held = size >= 1_000_000 if IS_POSTGRES else not label.startswith("search")
        if held and figure["ratio"] > target:
            misses.append(f"{label}: {figure['ratio']:.2f}× > {target}×")
        smaller = FIGURES.get(SIZES[0]) if size != SIZES[0] else None
        if smaller and figure["ms"] > 1.5 * smaller[label]["ms"]:
            growth = figure["ms"] / smaller[label]["ms"]
            misses.append(f"{label}: {growth:.2f}× its time at {SIZES[0]:,}")
    print("\n".join(misses) or "all targets met")
    assert not misses, misses
