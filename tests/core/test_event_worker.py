"""Two processes: this one (the web) emits an event it has no handler for; a real Celery
worker on Redis, whose apps register a handler in AppConfig.ready(), delivers it."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from crm import celery_app, event_handlers, events
from crm.models import EventDelivery
from tests.factories import OfficeFactory

ROOT = Path(__file__).resolve().parents[2]
HAS_SERVICES = bool(os.environ.get("REDIS_URL")) and connection.vendor == "postgresql"
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not HAS_SERVICES and not os.environ.get("CI"),
        reason="a worker process shares the test database only on Postgres (DATABASE_URL) "
        "and needs the Redis broker (REDIS_URL); CI sets both",
    ),
]


@pytest.fixture
def worker(tmp_path):
    if not HAS_SERVICES:
        pytest.fail("CI must run the real-worker test: set DATABASE_URL (Postgres) and REDIS_URL.")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    probe = tmp_path / "deliveries.txt"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "tests.core.event_worker_settings",
        "EVENT_PROBE_FILE": str(probe),
    }
    # A queue of its own: another run's worker on the same Redis must not take the task.
    queue = f"events-test-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "crm", "worker", "--pool", "solo"]
        + ["--queues", queue, "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
    )
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager, conf.task_default_queue = False, queue
    yield probe
    conf.task_always_eager, conf.task_default_queue = saved
    process.terminate()
    process.wait(timeout=20)


def test_a_handler_registered_only_in_the_worker_receives_an_event_emitted_here(worker):
    assert "tests.worker_probe" not in event_handlers.keys_for("office.settings_changed")
    office = OfficeFactory()
    with transaction.atomic():
        event = events.emit("office.settings_changed", office=office, is_jobs_enabled=True)
    deadline = time.monotonic() + 30
    delivery = None
    while time.monotonic() < deadline:
        delivery = EventDelivery.objects.filter(event=event, state="done").first()
        if delivery:
            break
        time.sleep(0.2)
    assert delivery is not None, "the worker never delivered the event"
    assert delivery.handler == "tests.worker_probe"
    assert worker.read_text() == f"{event.pk} office.settings_changed {{'is_jobs_enabled': True}}\n"
