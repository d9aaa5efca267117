"""Per-handler delivery: retries on the backoff, claims that hold under concurrency, the
90-day purge and CP → 🩺 System."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from crm import deliveries, event_catalogue, event_handlers, events
from crm.models import DomainEvent, EventDelivery
from crm.tasks import deliver_pending_events, purge_old_events
from crm.timeline.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(event_handlers, "_registry", {})
    monkeypatch.setitem(
        event_catalogue.CATALOGUE,
        "thing.happened",
        event_catalogue.Event("A test event.", optional=("n",)),
    )


@pytest.fixture
def handlers(registry):
    """Three handlers of one event: two fine, one failing while `broken` holds."""
    runs = {"a": [], "b": [], "flaky": []}
    broken = {"flag": True}
    events.register("thing.happened", lambda e: runs["a"].append(e.pk), key="tests.a")
    events.register("thing.happened", lambda e: runs["b"].append(e.pk), key="tests.b")

    def flaky(event):
        runs["flaky"].append(event.pk)
        if broken["flag"]:
            raise ConnectionError("partner endpoint down")

    events.register("thing.happened", flaky, key="tests.flaky")
    return runs, broken


def emit_and_deliver(django_capture_on_commit_callbacks, **data) -> DomainEvent:
    with django_capture_on_commit_callbacks(execute=True):
        return events.emit("thing.happened", **data)


def test_a_failing_handler_is_retried_on_the_backoff_while_the_others_ran_once(
    handlers, django_capture_on_commit_callbacks
):
    runs, broken = handlers
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        event = emit_and_deliver(django_capture_on_commit_callbacks, n=1)
        assert runs == {"a": [event.pk], "b": [event.pk], "flaky": [event.pk]}
        elapsed = datetime.timedelta()
        for attempt, wait in enumerate(deliveries.BACKOFF, start=2):
            clock.shift(wait - datetime.timedelta(seconds=1))
            deliver_pending_events()  # not due yet
            assert len(runs["flaky"]) == attempt - 1
            clock.shift(datetime.timedelta(seconds=1))
            elapsed += wait
            deliver_pending_events()
            assert len(runs["flaky"]) == attempt, f"retry {attempt} at +{elapsed}"
        # 6 attempts over 1 m + 5 m + 30 m + 2 h + 6 h: failed for good, never run again.
        flaky = EventDelivery.objects.get(handler="tests.flaky")
        assert (flaky.state, flaky.attempts) == ("failed", 6)
        assert "partner endpoint down" in flaky.error
        clock.shift(datetime.timedelta(days=1))
        deliver_pending_events()
    assert len(runs["flaky"]) == 6
    assert runs["a"] == runs["b"] == [event.pk]
    assert set(EventDelivery.objects.filter(state="done").values_list("handler", flat=True)) == {
        "tests.a",
        "tests.b",
    }


def test_a_handler_that_recovers_is_done_at_its_next_retry(
    handlers, django_capture_on_commit_callbacks
):
    runs, broken = handlers
    with time_machine.travel(timezone.now(), tick=False) as clock:
        emit_and_deliver(django_capture_on_commit_callbacks, n=2)
        broken["flag"] = False
        clock.shift(datetime.timedelta(minutes=1))
        deliver_pending_events()
    flaky = EventDelivery.objects.get(handler="tests.flaky")
    assert (flaky.state, flaky.attempts, flaky.error) == ("done", 2, "")


def test_a_failure_is_logged(handlers, django_capture_on_commit_callbacks, caplog):
    emit_and_deliver(django_capture_on_commit_callbacks, n=3)
    assert "Handler tests.flaky failed on thing.happened" in caplog.text
    assert "partner endpoint down" in caplog.text


def test_a_claim_taken_by_one_sweep_is_never_taken_by_another(registry):
    event = events.emit("thing.happened")
    EventDelivery.objects.bulk_create(
        EventDelivery(event=event, handler=f"tests.h{n}") for n in range(5)
    )
    now = timezone.now()
    first, claimed = deliveries._claim(now)
    second, none = deliveries._claim(now)  # a sweep that read the same rows as due
    assert EventDelivery.objects.filter(claim=first).count() == 5
    assert sorted(row.handler for row in claimed) == [f"tests.h{n}" for n in range(5)]
    assert {row.event for row in claimed} == {event}
    assert claimed[0].event.payload == event.payload
    assert not EventDelivery.objects.filter(claim=second).exists()
    assert none == []
    assert set(EventDelivery.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one write at a time: see above"
)
def test_two_concurrent_sweeps_run_each_handler_once(registry):
    seen, lock = [], threading.Lock()

    def record(event):
        with lock:
            seen.append(event.pk)

    events.register("thing.happened", record, key="tests.record")
    old = timezone.now() - datetime.timedelta(minutes=5)
    DomainEvent.objects.bulk_create(
        DomainEvent(name="thing.happened", payload={"n": n}, created_at=old) for n in range(300)
    )
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            deliver_pending_events()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 300
    assert len(set(seen)) == 300
    assert EventDelivery.objects.filter(state="done", attempts=1).count() == 300


def test_events_and_deliveries_older_than_90_days_are_purged(registry):
    events.register("thing.happened", lambda e: None, key="tests.noop")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=91)):
        old = events.emit("thing.happened", n=1)
        deliveries.dispatch([old.pk])
    with time_machine.travel(timezone.now() - datetime.timedelta(days=89)):
        kept = events.emit("thing.happened", n=2)
        deliveries.dispatch([kept.pk])
    assert purge_old_events.delay().result == 1
    assert purge_old_events.delay().result == 0  # a second run deletes nothing more
    assert list(DomainEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(EventDelivery.objects.values_list("event_id", flat=True)) == [kept.pk]


# --- CP → 🩺 System -------------------------------------------------------------------


@pytest.fixture
def failed(registry):
    event = events.emit("thing.happened", n=4)
    return EventDelivery.objects.create(
        event=event,
        handler="webhooks.zapier",
        state="failed",
        attempts=6,
        error="Traceback...\nConnectionError: partner endpoint down",
    )


def test_the_owner_sees_failed_handlers_on_the_system_page(client, failed):
    client.force_login(UserFactory(role="owner"))
    page = client.get(reverse("controlpanel:system")).content.decode()
    assert "thing.happened" in page
    assert "webhooks.zapier" in page
    assert "ConnectionError: partner endpoint down" in page
    assert "↻ Retry" in page
    assert "Inbox failures" in page  # the other failure list, beside it
    index = client.get(reverse("controlpanel:index")).content.decode()
    assert "🩺" in index


def test_the_owner_retries_a_failed_handler_and_it_is_audited(client, failed):
    owner = UserFactory(role="owner")
    client.force_login(owner)
    response = client.post(reverse("controlpanel:retry_delivery", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("pending", 0)
    audit = AuditEvent.objects.get(kind="event_delivery.retried")
    assert audit.actor == owner
    assert "webhooks.zapier" in audit.text


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_only_the_owner_may_retry(client, failed, role):
    client.force_login(UserFactory(role=role))
    response = client.post(reverse("controlpanel:retry_delivery", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.state == "failed"


def test_a_claim_takes_no_more_than_its_limit(registry):
    event = events.emit("thing.happened")
    EventDelivery.objects.bulk_create(
        EventDelivery(event=event, handler=f"tests.h{n}") for n in range(30)
    )
    now = timezone.now()
    _, first = deliveries._claim(now, limit=10)
    _, second = deliveries._claim(now, limit=10)
    assert len(first) == len(second) == 10
    assert not {row.pk for row in first} & {row.pk for row in second}
