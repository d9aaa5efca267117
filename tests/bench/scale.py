"""The harness for list pages at scale: each page is timed over HTTP against a signed-in bare
view served by the same gunicorn process, its SQL is replayed for a second figure, and the
plan of every statement it ran is checked for scans and sorts that grow with the table.

    with served() as base_url:
        cookies = session_cookie(owner)  # the user must be committed (seeded outside a test)
        times = measure(base_url, cookies, {"first page": "/jobs"})
        statements = statements_of(client, "/jobs")
        report("first page", {**times, "sql": replay_ms(statements), "queries": len(statements)})
        assert plan_problems(statements) == []

Seed with `bulk_copy` (psycopg COPY on Postgres, bulk_create on SQLite) from a module
fixture under `django_db_blocker.unblock()`, so the rows are committed and the served
process sees them.
"""

import http.client
import json
import os
import statistics
import time
from collections.abc import Iterable
from contextlib import contextmanager
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string

from tests.bench.served import gunicorn

BARE = "/bench/signed-in-bare"
BIG_TABLES = (
    "leads_lead",
    "jobs_job",
    "timeline_timelineentry",
    "timeline_auditevent",
)
SORT_LIMIT = 1_000


def database_url() -> str:
    """The test database as a URL for the served process (SQLite: the test database's file,
    which the served process opens with `make run`'s settings)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


@contextmanager
def served():
    """One gunicorn worker (one thread) on the bench settings, reading the test database and
    this run's Redis (REDIS_URL as the suite's bootstrap set it); yields its base URL."""
    # The app logs warnings only, so the timings' output stays readable; gunicorn's access
    # line (gunicorn.conf.py) stays, as in production: the bare view pays it too.
    env = {"LOG_LEVEL": "WARNING", "DATABASE_URL": database_url()}
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    with gunicorn(**env) as port:
        yield f"http://127.0.0.1:{port}"


def session_cookie(user) -> dict[str, str]:
    """A signed-in session for `user` (as `login()` leaves it), as the cookie to send."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _get(connection_: http.client.HTTPConnection, path: str, headers: dict) -> bytes:
    connection_.request("GET", path, headers=headers)
    response = connection_.getresponse()
    body = response.read()
    assert response.status == 200, f"GET {path}: {response.status} {body[:300]!r}"
    return body


def _time_batch(connection_, path: str, headers: dict, requests: int) -> float:
    start = time.perf_counter()
    for _ in range(requests):
        _get(connection_, path, headers)
    return (time.perf_counter() - start) / requests * 1000


def measure(
    base_url: str,
    cookies: dict[str, str],
    paths: dict[str, str],
    *,
    rounds=3,
    requests=40,
    extra_headers: dict[str, str] | None = None,
) -> dict[str, float]:
    """Median ms per request of each labelled path and of the bare view ("bare").
    `extra_headers` go with every request (HX-Request: a modal's partial).

    Round by round, every path's batch of `requests` keep-alive GETs follows a batch of the
    bare view, so drift on a busy machine hits both alike. The cookies the app sets on the
    first response (the live-sync scope) are kept, as a browser would.
    """
    parts = urlsplit(base_url)
    connection_ = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    cookies = dict(cookies)
    connection_.request("GET", BARE, headers={"Cookie": _cookie_header(cookies)})
    response = connection_.getresponse()
    response.read()
    assert response.status == 200, f"the bare view answered {response.status}: signed in?"
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
    headers = {"Cookie": _cookie_header(cookies), "Host": parts.hostname, **(extra_headers or {})}
    for path in paths.values():  # warm: templates compiled, caches filled
        _get(connection_, path, headers)
    times = {"bare": [], **{label: [] for label in paths}}
    try:
        for _ in range(rounds):
            for label, path in paths.items():
                times["bare"].append(_time_batch(connection_, BARE, headers, requests))
                times[label].append(_time_batch(connection_, path, headers, requests))
    finally:
        connection_.close()
    return {label: statistics.median(values) for label, values in times.items()}


def statements_of(client, path: str, **extra) -> list[str]:
    """The SQL the page at `path` runs (Django's test client, signed in as the caller set;
    `extra`: request headers as the test client takes them, HTTP_HX_REQUEST="true")."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == 200, f"GET {path}: {response.status_code}"
    return [query["sql"] for query in captured.captured_queries]


def replay_ms(statements: list[str], *, rounds=3, requests=40) -> float:
    """Median ms to run `statements` once, raw, over this process's connection: the floor
    under the page's time (the page-vs-its-SQL figure). Savepoints are skipped."""
    runnable = [sql for sql in statements if not sql.upper().startswith(("SAVEPOINT", "RELEASE"))]
    samples = []
    with connection.cursor() as cursor:
        for sql in runnable:  # warm
            cursor.execute(sql)
            cursor.fetchall() if cursor.description else None
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(requests):
                for sql in runnable:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()
            samples.append((time.perf_counter() - start) / requests * 1000)
    return statistics.median(samples)


def _walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def plan_problems(
    statements: list[str], big_tables: Iterable[str] = BIG_TABLES, *, sort_limit=SORT_LIMIT
) -> list[str]:
    """Each statement's plan problems (Postgres; none elsewhere): a Seq Scan over a big table,
    or a Sort node fed more than `sort_limit` rows (the plan's estimate)."""
    if connection.vendor != "postgresql":
        return []
    big_tables = set(big_tables)
    problems = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for node in _walk(plan[0]["Plan"]):
                kind = node["Node Type"]
                if kind == "Seq Scan" and node.get("Relation Name") in big_tables:
                    problems.append(f"Seq Scan on {node['Relation Name']}: {sql}")
                elif kind == "Sort" and node["Plan Rows"] > sort_limit:
                    keys = ", ".join(node.get("Sort Key", []))
                    problems.append(f"Sort of {node['Plan Rows']:,} rows by {keys}: {sql}")
    return problems


def _omitted_defaults(model, fields: list) -> list[tuple]:
    """(field, constant, factory) for each NOT NULL column the caller left out: its model
    default (a callable one called per row), `now` for auto_now(_add), "" for text."""
    now = timezone.now()
    given = {field.name for field in fields}
    omitted = []
    for field in model._meta.concrete_fields:
        if field.name in given or field.primary_key or (field.null and not field.has_default()):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            omitted.append((field, now, None))
        elif field.has_default() and callable(field.default):
            omitted.append((field, None, field.default))
        else:
            omitted.append((field, field.get_default(), None))
    return omitted


def bulk_copy(model, rows: Iterable[tuple], columns: list[str]) -> int:
    """Insert `rows` (tuples in the order of `columns`, field names or attnames) into
    `model`'s table, fast: COPY on Postgres, bulk_create in batches elsewhere. Returns the
    count. No save(), no signals; NOT NULL columns left out get their model default (see
    `_omitted_defaults`). Analyzes the table afterwards so the planner sees its real size."""
    given = [model._meta.get_field(name) for name in columns]
    omitted = _omitted_defaults(model, given)
    constants = tuple(constant for _, constant, factory in omitted if factory is None)
    factories = [factory for _, _, factory in omitted if factory is not None]
    # Constants first, then per-row factories: reorder the omitted fields to match.
    fields = (
        given
        + [field for field, _, factory in omitted if factory is None]
        + [field for field, _, factory in omitted if factory is not None]
    )

    def full(row):
        return (*row, *constants, *(factory() for factory in factories))

    count = 0
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        # COPY's text format takes JSON as its text: dicts and lists are dumped first.
        json_columns = [
            n for n, field in enumerate(fields) if field.get_internal_type() == "JSONField"
        ]
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    row = full(row)
                    if json_columns:
                        row = list(row)
                        for n in json_columns:
                            row[n] = json.dumps(row[n])
                    copy.write_row(row)
                    count += 1
            cursor.execute(f"ANALYZE {table}")
        return count
    batch = []
    attnames = [field.attname for field in fields]
    for row in rows:
        batch.append(model(**dict(zip(attnames, full(row), strict=True))))
        if len(batch) == 5_000:
            model.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    model.objects.bulk_create(batch)
    return count + len(batch)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def report(label: str, figures: dict) -> dict:
    """Print "page: X ms = N× the bare view; its SQL Y ms = M×" for `figures` (keys: page,
    bare, optional sql and queries) with the load average; returns the ratios."""
    ratio = figures["page"] / figures["bare"]
    line = (
        f"{label}: {figures['page']:.1f} ms = {ratio:.2f}× the bare view ({figures['bare']:.1f} ms)"
    )
    ratios = {"bare": ratio}
    if figures.get("sql"):
        ratios["sql"] = figures["page"] / figures["sql"]
        line += f"; its SQL {figures['sql']:.1f} ms = {ratios['sql']:.2f}×"
    if "queries" in figures:
        line += f"; {figures['queries']} queries"
    print(f"{line}; {load_average()}")
    return ratios
