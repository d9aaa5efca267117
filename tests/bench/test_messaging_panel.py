"""📱 SMS panel at scale: 5,000 threads and 500,000 messages over four offices (one thread
of 500 messages), a lead linked to three threads in five. The thread list (first page,
filtered by office + Unread only, searched by a message's words, a lead's name and phone
digits) and the 500-message thread, each timed over HTTP against a signed-in view that
runs the same read as hand-written SQL and answers its rows as JSON (tests/bench/urls.py):
≤ 3× that, ≤ 8 queries, the same count for a page of 50 rows as for 2, and no Seq Scan over
messages or threads, no sort of more than 1,000 rows (tests/bench/scale.py).

Sizes shrink for a quick run: BENCH_SMS_SCALE=0.02. BENCH_SMS_KEEP=1 leaves the rows in
place (with --reuse-db the next run skips the seeding)."""

import datetime
import gc
import os
import random
import time

import pytest
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from crm.accounts.models import Office, Role, User
from crm.phones import last10
from leads.models import Lead
from messaging.models import Line, Message, Thread
from tests.bench import scale
from tests.bench.seed import seed_leads
from tests.factories import UserFactory

pytestmark = [pytest.mark.bench, pytest.mark.urls("tests.bench.urls")]
SCALE = float(os.environ.get("BENCH_SMS_SCALE", "1"))
KEEP = os.environ.get("BENCH_SMS_KEEP") == "1"
THREADS = max(50, int(5_000 * SCALE))
MESSAGES = max(5_000, int(500_000 * SCALE))
LONG_THREAD = 500
LEADS = THREADS  # leads.seed_leads phones: +1305 and the lead's number on 7 digits
OWNER = "bench-sms@example.com"
OFFICES = ("Sliding", "Garage", "General", "Joes Doors FL")
BIG_TABLES = (*scale.BIG_TABLES, "messaging_message", "messaging_thread")
TARGET = 3  # × the hand-written SQL served the same way
MAX_QUERIES = 8
WORDS = (
    "Hi is Tuesday still good for the install",
    "Can you send the quote again please",
    "The technician was great thank you",
    "What time will he arrive tomorrow",
    "I need to move the appointment to Friday",
    "Do you also fix openers and springs",
    "Please call me after 5 pm",
    "Got it see you then",
)
RARE = "the roller on the left side squeaks"  # one message in 400


def thread_rows(lines, leads, now):
    """Newest first, a few minutes apart; three in five belong to a lead (its phone)."""
    rng = random.Random(41)
    for number in range(THREADS):
        line = lines[number % len(lines)]
        lead = leads[number] if number % 5 < 3 and number < len(leads) else None
        phone = lead[1] if lead else f"+1786{number:07d}"
        yield (
            number + 1,
            line.pk,
            phone,
            last10(phone),
            line.office_id,
            lead[0] if lead else None,
            now - datetime.timedelta(minutes=number * 3 + rng.randint(0, 2)),
            WORDS[number % len(WORDS)][:160],
            "in" if number % 2 else "out",
            rng.choice((0, 0, 0, 1, 2)),
            number % 50 == 0,
        )


THREAD_COLUMNS = [
    "id",
    "line",
    "customer_phone",
    "customer_last10",
    "office",
    "lead",
    "last_message_at",
    "last_snippet",
    "last_direction",
    "unresolved_count",
    "marked_unread",
]


def message_rows(now):
    """Thread 1 gets LONG_THREAD messages, the rest share what is left; each thread's texts
    end at its last_message_at, a minute apart, directions alternating."""
    rng = random.Random(43)
    per_thread, left_over = divmod(MESSAGES - LONG_THREAD, THREADS - 1)
    for thread in range(1, THREADS + 1):
        count = LONG_THREAD if thread == 1 else per_thread + (thread - 2 < left_over)
        newest = now - datetime.timedelta(minutes=(thread - 1) * 3)
        for number in range(count):
            direction = "in" if number % 2 else "out"
            body = RARE if rng.randrange(400) == 0 else WORDS[rng.randrange(len(WORDS))]
            yield (
                thread,
                direction,
                body,
                "received" if direction == "in" else "sent",
                "" if direction == "in" else "manual",
                newest - datetime.timedelta(minutes=count - number),
            )


MESSAGE_COLUMNS = ["thread", "direction", "body", "status", "purpose", "created_at"]


def is_seeded() -> bool:
    return Message.objects.filter(thread_id=THREADS).exists() and Thread.objects.count() == THREADS


def truncate() -> None:
    with connection.cursor() as cursor:
        for model in (Message, Thread, Line, Lead):
            table = connection.ops.quote_name(model._meta.db_table)
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table} CASCADE")
            else:
                model.objects.all().delete()


def reset_sequences() -> None:
    """Rows were copied with their ids: the next insert must not collide."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Thread]):
            cursor.execute(sql)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        start = time.perf_counter()
        offices = [Office.objects.get_or_create(name=name)[0] for name in OFFICES]
        owner = User.objects.filter(email=OWNER).first() or UserFactory(
            role=Role.OWNER, email=OWNER
        )
        if not is_seeded():
            truncate()
            lines = [
                Line.objects.create(
                    phone=f"+1305777{n:04d}", label=f"Line {n}", office=offices[n % len(offices)]
                )
                for n in range(12)
            ]
            seed_leads(LEADS)
            leads = list(Lead.objects.order_by("pk").values_list("pk", "phone"))
            now = timezone.now()
            rows = thread_rows(lines, leads, now)
            print(f"\nthreads: {scale.bulk_copy(Thread, rows, THREAD_COLUMNS):,}", end="")
            reset_sequences()
            rows = message_rows(now)
            print(f"; messages: {scale.bulk_copy(Message, rows, MESSAGE_COLUMNS):,}", end="")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            print(f"; seeded in {time.perf_counter() - start:.0f} s")
        gc.collect()
        garage = Office.objects.get(name="Garage")
        # A lead well into the table (the first ones' phones are mostly zeros).
        lead = Lead.objects.filter(sms_threads__isnull=False).order_by("pk")[THREADS // 5]
        yield {
            "owner": owner,
            "cookies": scale.session_cookie(owner),
            "garage": garage,
            "lead": lead,
        }
        if not KEEP:
            truncate()


@pytest.fixture(scope="module")
def base_url(seeded):
    with scale.served() as url:
        yield url


def pages(seeded) -> dict[str, tuple[str, str]]:
    """label: (the panel's path, the hand-written SQL view's path with the same query)."""
    lead = seeded["lead"]
    queries = {
        "list, first page": "",
        "list, Garage + Unread only": f"office={seeded['garage'].pk}&unread=on",
        "list, searched by words in a text": "q=roller+on+the+left",
        "list, searched by a lead's name": f"q={lead.first_name}+{lead.last_name}",
        "list, searched by phone digits": f"q={lead.phone[-7:-4]}-{lead.phone[-4:]}",
    }
    found = {
        label: (f"/sms/threads?{query}", f"/bench/sms-raw-list?{query}")
        for label, query in queries.items()
    }
    found[f"thread of {LONG_THREAD} messages"] = ("/sms/threads/1", "/bench/sms-raw-thread/1")
    return found


@pytest.mark.django_db
def test_the_sms_panel_stays_near_its_hand_written_sql(client, seeded, base_url):
    measured = pages(seeded)
    paths = {}
    for label, (page, raw) in measured.items():
        paths[label] = page
        paths[f"{label} (SQL)"] = raw
    # Over HTTP first: this test's transaction must hold no row lock the served process waits on.
    times = scale.measure(base_url, seeded["cookies"], paths)
    client.force_login(seeded["owner"])
    print(f"\n{THREADS:,} threads, {MESSAGES:,} messages")
    misses, problems = [], []
    for label, (page, _) in measured.items():
        statements = scale.statements_of(client, page)
        ratio = times[label] / times[f"{label} (SQL)"]
        print(
            f"{label}: {times[label]:.1f} ms = {ratio:.2f}× its SQL served bare "
            f"({times[f'{label} (SQL)']:.1f} ms; bare view {times['bare']:.1f} ms); "
            f"{len(statements)} queries; {scale.load_average()}"
        )
        if ratio > TARGET:
            misses.append(f"{label}: {ratio:.2f}× > {TARGET}×")
        if len(statements) > MAX_QUERIES:
            misses.append(f"{label}: {len(statements)} queries > {MAX_QUERIES}")
        problems += [f"{label}: {p}" for p in scale.plan_problems(statements, BIG_TABLES)]
    print("\n".join(problems))
    assert not problems
    if connection.vendor == "postgresql" and SCALE >= 1:
        assert not misses, misses


@pytest.mark.django_db
def test_the_list_and_a_thread_cost_the_same_queries_whatever_their_rows(client, seeded):
    client.force_login(seeded["owner"])
    phone = seeded["lead"].phone
    full = scale.statements_of(client, "/sms/threads")  # 50 rows
    few = scale.statements_of(client, f"/sms/threads?q={phone[-7:]}")  # its one thread
    long = scale.statements_of(client, "/sms/threads/1")
    short = scale.statements_of(client, f"/sms/threads/{THREADS}")
    assert len(full) == len(few) <= MAX_QUERIES
    assert len(long) == len(short) <= MAX_QUERIES
