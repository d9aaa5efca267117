import cProfile
import datetime
import io
import pstats
import statistics
import time

import pytest
import time_machine
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs.models import Status
from jobs.services.auto_status import advance_due_jobs, due_jobs
from jobs.models import JobsSettings
from tests.bench.test_jobs import BUSINESS, DUE, seeded  # noqa: F401
from tests.bench.test_leads import production_rendering

pytestmark = [pytest.mark.bench]


def profile(label, action, runs=20, setup=None):
    profiler = cProfile.Profile()
    for _ in range(runs):
        if setup:
            setup()
        profiler.enable()
        action()
        profiler.disable()
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(28)
        print(f"\n===== {label} by {key} ({runs} runs)\n" + out.getvalue())


def per_query(label, action):
    with CaptureQueriesContext(connection) as captured:
        action()
    print(f"\n===== {label}: per-query times (s)")
    for q in captured.captured_queries:
        print(q["time"], q["sql"][:300].replace("\n", " "))


@pytest.mark.django_db
def test_profile_board(client, seeded):
    client.force_login(seeded["owner"])
    url = reverse("jobs:dashboard")
    client.get(url)
    with production_rendering():
        for params, label in (({}, "board default"), ({"attention": "on"}, "needs attention")):
            for _ in range(3):
                client.get(url, params)
            per_query(label, lambda: client.get(url, params))
            profile(label, lambda: client.get(url, params))
            # explain analyze the heavy ones
            with CaptureQueriesContext(connection) as captured:
                client.get(url, params)
            with connection.cursor() as cursor:
                for q in captured.captured_queries:
                    if "jobs_job" in q["sql"]:
                        cursor.execute("EXPLAIN ANALYZE " + q["sql"])
                        print(f"\n--- EXPLAIN ANALYZE ({label})\n" + q["sql"][:200] + "\n" + "\n".join(r[0] for r in cursor.fetchall()))


@pytest.mark.django_db
def test_profile_tick(seeded):
    today = seeded["today"]
    tonight = datetime.datetime.combine(today, datetime.time(20, 30), BUSINESS)
    with time_machine.travel(tonight, tick=False):
        qs = due_jobs(JobsSettings.load(), tonight).select_for_update(skip_locked=True, of=("self",)).select_related("office", "source")
        ids = list(qs.values_list("pk", flat=True))
        sql = "UPDATE jobs_job SET status = %s WHERE id IN (" + ",".join(["%s"] * len(ids)) + ")"

        def reset():
            with connection.cursor() as cursor:
                cursor.execute(sql, [Status.SUBMITTED, *ids])

        reset()
        with connection.cursor() as cursor:
            q_sql, params = qs.query.sql_with_params()
            cursor.execute("EXPLAIN ANALYZE " + q_sql, params)
            print("\n--- EXPLAIN ANALYZE tick SELECT\n" + "\n".join(r[0] for r in cursor.fetchall()))
        per = []
        with CaptureQueriesContext(connection) as captured:
            advance_due_jobs()
        kinds = {}
        for q in captured.captured_queries:
            key = q["sql"][:40]
            kinds.setdefault(key, [0, 0.0])
            kinds[key][0] += 1
            kinds[key][1] += float(q["time"])
        print("\n===== tick per statement kind: count, total s")
        for key, (n, t) in kinds.items():
            print(n, round(t, 4), key)
        profile("tick", advance_due_jobs, runs=10, setup=reset)
