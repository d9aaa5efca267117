"""Automation rules at scale (issue 19, `make bench`): 100 rules, 200,000 leads and 50,000
jobs, two figures:

1. The 5-minute tick with 5,000 due reminders (one "24 h before the appointment" rule, the
   other 99 event rules) against one set-based SELECT of the same due rows: ≤ 5×, and the
   send task published at most due / batch + 1 times.
2. The job.created handler's query count is flat in the number of rules: the same with 2
   matching Job Created rules and with all 25 of them (the sends left queued).

The 📜 log modal over 1,000,000 rows is the UI's page (helper E's bench). Sizes shrink with
BENCH_AUTOMATIONS_SCALE=0.05 (then the ratio is reported, not held).
"""

import datetime
import gc
import os
import random
import statistics
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from automations.rules import firing, tasks
from automations.rules.models import Rule, RuleLog, RuleStamp
from crm.models import DomainEvent
from jobs.models import FIRST_JOB_NUMBER, Job
from tests.bench.seed import FIRST, LAST, seed_job_settings, seed_leads

pytestmark = pytest.mark.bench
SCALE = float(os.environ.get("BENCH_AUTOMATIONS_SCALE", "1"))
LEADS, JOBS, DUE = int(200_000 * SCALE), int(50_000 * SCALE), int(5_000 * SCALE)
RULES, RUNS = 100, 5
EVENT_TRIGGERS = ["job_created", "job_rebooked", "contractor_assigned", "lead_created"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        start = time.perf_counter()
        rng = random.Random(19)
        offices = seed_leads(LEADS)
        kinds, partners, contractors = seed_job_settings(rng, 50)
        now = timezone.now()
        rows = []
        for number in range(JOBS):
            # DUE jobs start within the next 24 hours; the rest from a year back to a month on.
            if number < DUE:
                starts_at = now + datetime.timedelta(minutes=rng.randint(10, 24 * 60 - 10))
            else:
                starts_at = now + datetime.timedelta(
                    days=rng.randint(-365, -2) if number % 3 else rng.randint(2, 30)
                )
            phone = f"+1305{number:07d}"
            rows.append(
                Job(
                    number=FIRST_JOB_NUMBER + number,
                    office=offices[number % 3],
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    phone=phone,
                    phone_last10=phone[-10:],
                    street="100 Biscayne Blvd",
                    city="Miami",
                    state="FL",
                    zip_code="33132",
                    timezone="America/New_York",
                    job_type=rng.choice(kinds),
                    source=rng.choice(partners),
                    contractor=rng.choice(contractors),
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=2),
                )
            )
        Job.objects.bulk_create(rows, batch_size=5000)
        long_ago = now - datetime.timedelta(days=30)
        reminder = Rule.objects.create(
            name="Reminder 24 h before",
            trigger="before_job_start",
            offset_amount=24,
            offset_unit="hours",
            recipient="client",
            channel="sms",
            body="Hi {{client.firstName}}, see you {{job.dateStart}} at {{job.timeStart}}.",
            enabled_at=long_ago,
        )
        reminder.offices.set(offices[:3])
        Rule.objects.bulk_create(
            Rule(
                name=f"Event rule {n}",
                trigger=EVENT_TRIGGERS[n % len(EVENT_TRIGGERS)],
                recipient="static",
                static_to="+13055550111",
                channel="sms",
                body="{{client.fullName}}",
                enabled_at=long_ago,
            )
            for n in range(RULES - 1)
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        gc.collect()
        print(f"\nseeded {LEADS:,} leads, {JOBS:,} jobs in {time.perf_counter() - start:.1f} s")
        yield {"reminder": reminder, "now": now}
        RuleLog.objects.all().delete()
        Rule.objects.all().delete()
        Job.objects.all().delete()


def undone(action):
    """Run `action` in a savepoint rolled back after it (the tick's stamps and logs go)."""
    savepoint = transaction.savepoint()
    try:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.django_db
def test_the_tick_costs_at_most_five_times_one_select_of_its_due_rows(
    seeded, monkeypatch, django_capture_on_commit_callbacks
):
    now = seeded["now"]
    published = []
    monkeypatch.setattr(tasks.send_automations, "delay", lambda ids: published.append(len(ids)))
    office_ids = list(seeded["reminder"].offices.values_list("pk", flat=True))
    select_sql = (
        "SELECT id, office_id, timezone, number FROM jobs_job WHERE starts_at > %s "
        "AND starts_at <= %s AND NOT is_archived "
        f"AND office_id IN ({', '.join(['%s'] * len(office_ids))})"
    )
    params = [now, now + datetime.timedelta(hours=24), *office_ids]

    def select():
        with connection.cursor() as cursor:
            cursor.execute(select_sql, params)
            assert len(cursor.fetchall()) == DUE

    ticks, selects = [], []
    for round_ in range(RUNS + 1):  # round 0 warms up
        select_time = undone(select)
        tick_time = undone(lambda: firing.tick(now))
        if round_:
            ticks.append(tick_time)
            selects.append(select_time)
    tick, one_select = statistics.median(ticks), statistics.median(selects)
    ratio = tick / one_select
    print(
        f"tick over {DUE:,} due reminders: {tick * 1000:.0f} ms = {ratio:.1f}× one SELECT "
        f"({one_select * 1000:.1f} ms); {RULES} rules, {JOBS:,} jobs, {LEADS:,} leads"
    )
    # Once more, committed as far as the test allows, to count what goes to Celery.
    with django_capture_on_commit_callbacks(execute=True):
        written = firing.tick(now)
    assert written == DUE and RuleStamp.objects.count() == DUE
    print(f"send task published {len(published)} times for {DUE:,} fires")
    assert len(published) <= DUE // firing.BATCH + 1 and sum(published) == DUE
    if connection.vendor == "postgresql" and SCALE >= 1:
        assert ratio <= 5


@pytest.mark.django_db
def test_the_job_created_handler_queries_are_flat_in_the_rule_count(seeded):
    job = Job.objects.order_by("pk").first()

    def queries_with(rule_count: int) -> int:
        keep = Rule.objects.filter(trigger="job_created").order_by("pk")[:rule_count]
        kept = list(keep.values_list("pk", flat=True))
        savepoint = transaction.savepoint()
        try:
            Rule.objects.filter(trigger="job_created").exclude(pk__in=kept).update(enabled=False)
            event = DomainEvent.objects.create(
                name="job.created", office=job.office, payload={"job": job.pk, "snapshot": {}}
            )
            with CaptureQueriesContext(connection) as queries:
                assert len(firing.on_event(event)) == len(kept)
            return len(queries)
        finally:
            transaction.savepoint_rollback(savepoint)

    queries_with(1)  # warm: the Pause All row into the cache
    total = Rule.objects.filter(trigger="job_created").count()
    few, many = queries_with(2), queries_with(total)
    print(f"job.created handler: {few} queries with 2 matching rules, {many} with {total}")
    assert few == many
