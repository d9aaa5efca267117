"""/api/last-change against a bare Django view, served by the same gunicorn, same run.

The poll is measured as browsers meet it: over HTTP (keep-alive) from a real server
process, with the cache the run is configured with (Redis with REDIS_URL, else the
file cache). Rounds alternate between the two URLs so machine drift hits both alike.
Target: at most 1.5x the bare view. The in-process figure (test client, no HTTP) is
printed too, for the record.
"""

import http.client
import os
import statistics
import time

import pytest
from django.conf import settings
from django.urls import reverse

from crm import livesync
from tests.bench import served
from tests.bench.served import gunicorn

pytestmark = [pytest.mark.bench, pytest.mark.urls("tests.bench.urls")]
ROUNDS, PER_ROUND = 15, 200
KEYS = [livesync.SHARED, *(livesync.office_key(n) for n in (1, 2, 3))]
SESSION_KEY = "benchsessionkey0000000000000000"


@pytest.fixture(scope="module")
def server():
    with gunicorn() as port:
        yield port


def cookies() -> str:
    cookie = livesync.scope_cookie(KEYS, SESSION_KEY)
    return f"{settings.SESSION_COOKIE_NAME}={SESSION_KEY}; {livesync.COOKIE}={cookie}"


def time_http(connection, path: str, headers: dict) -> float:
    return served.time_http(connection, path, headers, PER_ROUND)


def compare(measure_bare, measure_live) -> tuple[float, float]:
    bare_times, live_times = [], []
    for _ in range(ROUNDS):
        bare_times.append(measure_bare())
        live_times.append(measure_live())
    return statistics.median(bare_times), statistics.median(live_times)


def report(label: str, bare: float, live: float) -> float:
    ratio = live / bare
    print(
        f"\n{label}: /api/last-change {live * 1e6:.0f} µs vs bare view {bare * 1e6:.0f} µs "
        f"(median of {ROUNDS} x {PER_ROUND}): {ratio:.2f}x"
    )
    return ratio


def test_last_change_over_http_costs_at_most_one_and_a_half_bare_views(server):
    livesync.bump(office_id=2)
    connection = http.client.HTTPConnection("127.0.0.1", server)
    headers = {"Cookie": cookies(), "Host": "127.0.0.1"}
    connection.request("GET", "/api/last-change", headers=headers)
    answer = connection.getresponse()
    assert answer.status == 200 and b'"stamp": 0' not in answer.read()

    bare, live = compare(
        lambda: time_http(connection, "/bench/bare", headers),
        lambda: time_http(connection, "/api/last-change", headers),
    )
    cache_kind = "Redis" if os.environ.get("REDIS_URL") else "file cache"
    ratio = report(f"gunicorn over HTTP, {cache_kind}", bare, live)
    assert ratio <= 1.5


def test_in_process_figure_for_the_record(client):
    client.cookies.load(
        {
            settings.SESSION_COOKIE_NAME: SESSION_KEY,
            livesync.COOKIE: livesync.scope_cookie(KEYS, SESSION_KEY),
        }
    )
    live_url = reverse("live_sync")
    assert client.get(live_url).status_code == 200

    def time_client(path):
        start = time.perf_counter()
        for _ in range(PER_ROUND):
            client.get(path)
        return (time.perf_counter() - start) / PER_ROUND

    bare, live = compare(lambda: time_client("/bench/bare"), lambda: time_client(live_url))
    report("Django test client, no HTTP", bare, live)
