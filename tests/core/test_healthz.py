"""GET /healthz: what compose, Caddy's neighbours and uptime monitors are told."""

import datetime

import pytest
import time_machine
from celery.signals import worker_ready
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.utils import timezone

from crm.tasks import stamp_worker_heartbeat

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_a_deployment_with_a_fresh_heartbeat_is_healthy(client):
    stamp_worker_heartbeat.delay()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["cache"] == "ok"
    assert checks["broker"].startswith("ok (")
    assert checks["worker"].startswith("ok (last heartbeat ")
    assert "no-store" in response["Cache-Control"]


def test_the_health_check_runs_one_select_and_leaves_no_session(client, django_assert_num_queries):
    stamp_worker_heartbeat.delay()

    with django_assert_num_queries(1) as queries:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert queries.captured_queries[0]["sql"] == "SELECT 1"
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert not Session.objects.exists()


def test_head_is_answered_like_get(client):
    stamp_worker_heartbeat.delay()

    response = client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""


def test_posting_to_the_health_check_is_refused(client):
    assert client.post("/healthz").status_code == 405


def test_without_any_heartbeat_the_worker_is_reported_down(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["worker"] == "no heartbeat recorded"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.parametrize(
    ("minutes", "status", "line"),
    [(4, 200, "ok (last heartbeat 240 s ago)"), (6, 503, "no heartbeat for 6 minutes")],
)
def test_a_heartbeat_older_than_five_minutes_reports_the_worker_down(client, minutes, status, line):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(minutes=minutes), tick=False):
        stamp_worker_heartbeat.delay()

    with time_machine.travel(now, tick=False):
        response = client.get("/healthz")

    assert response.status_code == status
    assert response.json()["checks"]["worker"] == line


def test_a_worker_that_starts_is_healthy_before_beat_first_ticks(client):
    worker_ready.send(sender=None)

    response = client.get("/healthz")

    assert response.json()["checks"]["worker"].startswith("ok (last heartbeat ")


def test_an_unreachable_cache_is_named(client, settings):
    stamp_worker_heartbeat.delay()
    settings.CACHES = {
        "default": {"BACKEND": "crm.cache.PooledRedisCache", "LOCATION": UNREACHABLE_REDIS}
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == "down (ConnectionError)"
    assert checks["worker"] == "unknown (the cache is down)"
    assert checks["database"] == "ok"


@pytest.mark.parametrize(
    "broker_url",
    [UNREACHABLE_REDIS, "sqla+sqlite:////nonexistent-folder/broker.sqlite"],
    ids=["redis", "sqlalchemy"],
)
def test_an_unreachable_broker_is_named(client, settings, broker_url):
    stamp_worker_heartbeat.delay()
    settings.CELERY_BROKER_URL = broker_url

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == "down (OperationalError)"
    assert checks["cache"] == "ok"
    assert checks["worker"].startswith("ok")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only a database server can drop a connection"
)
def test_a_database_that_dropped_the_connection_is_named(client):
    stamp_worker_heartbeat.delay()
    connection.ensure_connection()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid]
            )
    finally:
        other.close()

    response = client.get("/healthz")

    connection.close()  # the dropped connection; the test teardown opens a fresh one
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down (OperationalError)"


def test_behind_the_proxy_the_compose_healthcheck_is_not_redirected_to_https(client, settings):
    # Production settings with TRUSTED_PROXY_COUNT=1, as docker-compose.yml runs the app.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    stamp_worker_heartbeat.delay()

    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
