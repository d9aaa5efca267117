"""A real Celery worker process against the real broker (Redis) and database (Postgres):
what `make run` and production do, where the rest of the suite runs tasks inline."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from crm import celery_app
from leads.models import InboundLead, Lead
from tests.factories import OfficeFactory, lead_source

ROOT = Path(__file__).resolve().parents[2]
HAS_SERVICES = bool(os.environ.get("REDIS_URL")) and connection.vendor == "postgresql"
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Skipped before the database is set up (its serialized rollback would otherwise
    # reload content types other tests left behind); CI never skips (see `worker`).
    pytest.mark.skipif(
        not HAS_SERVICES and not os.environ.get("CI"),
        reason="needs Postgres (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]


@pytest.fixture
def worker():
    if not HAS_SERVICES:
        pytest.fail("CI must run the real-worker test: set DATABASE_URL (Postgres) and REDIS_URL.")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge("celery")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, False
    yield process
    celery_app.conf.task_always_eager = eager
    process.terminate()
    process.wait(timeout=20)


def test_a_real_worker_turns_an_accepted_webhook_into_a_lead(client, worker):
    OfficeFactory(name="General")
    lead_source()
    response = client.post(
        "/webhook/leads",
        json.dumps({"full_name": "Worker Wanda", "phone": "305-555-0177", "source": "facebook"}),
        content_type="application/json",
        HTTP_X_WEBHOOK_SECRET="demo-secret",
    )
    assert response.json()["status"] == "success"
    inbound = InboundLead.objects.get(pk=response.json()["received"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        inbound.refresh_from_db()
        if inbound.state == "done":
            break
        time.sleep(0.2)
    assert inbound.state == "done", inbound.error
    assert Lead.objects.get(pk=inbound.lead_id).full_name == "Worker Wanda"
