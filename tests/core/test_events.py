"""Events: recorded with the change, handed out after commit, one delivery per handler."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from crm import event_catalogue, event_handlers, events, livesync
from crm.models import DomainEvent, EventDelivery
from crm.tasks import deliver_event, deliver_pending_events
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty handler registry and a test-only event in the catalogue."""
    monkeypatch.setattr(event_handlers, "_registry", {})
    monkeypatch.setitem(
        event_catalogue.CATALOGUE,
        "thing.happened",
        event_catalogue.Event("A test event.", optional=("n", "when", "office_ref", "job")),
    )
    return event_handlers._registry


@pytest.fixture
def calls(registry):
    """Register a handler for the test event and record what it saw."""
    seen = []

    @events.on("thing.happened", key="tests.remember")
    def remember(event):
        seen.append(event.payload)

    return seen


def test_handlers_run_after_commit_with_the_payload(calls, django_capture_on_commit_callbacks):
    office = OfficeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(
            "thing.happened", office=office, when=datetime.date(2026, 5, 1), office_ref=office
        )
        assert calls == []  # not before commit
    assert calls == [{"when": "2026-05-01", "office_ref": office.pk}]
    delivery = EventDelivery.objects.get()
    assert (delivery.handler, delivery.state, delivery.attempts) == ("tests.remember", "done", 1)
    assert DomainEvent.objects.get().dispatched_at is not None


def test_a_rolled_back_action_leaves_no_event_and_runs_no_handler(
    calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                events.emit("thing.happened")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert calls == []
    assert not DomainEvent.objects.exists()


def test_a_failing_handler_is_recorded_on_its_own_delivery_and_others_still_run(
    calls, django_capture_on_commit_callbacks
):
    @events.on("thing.happened", key="tests.explode")
    def explode(event):
        raise ValueError("webhook endpoint said 500")

    @events.on("thing.happened", key="tests.after")
    def after(event):
        calls.append("after ran")

    with django_capture_on_commit_callbacks(execute=True):
        event = events.emit("thing.happened", n=1)
    assert calls == [{"n": 1}, "after ran"]
    rows = {row.handler: row for row in EventDelivery.objects.filter(event=event)}
    assert rows["tests.remember"].state == rows["tests.after"].state == "done"
    failed = rows["tests.explode"]
    assert failed.state == "pending"  # retried after the backoff
    assert "webhook endpoint said 500" in failed.error
    assert failed.due_at > timezone.now() + datetime.timedelta(seconds=50)


def test_a_second_delivery_of_the_same_event_is_a_no_op(calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = events.emit("thing.happened", n=1)
    deliver_event(event.pk)
    deliver_event(event.pk)
    assert calls == [{"n": 1}]
    assert EventDelivery.objects.get().attempts == 1


def test_an_event_nobody_listens_to_in_this_process_is_still_handed_out_by_the_worker(
    registry, django_capture_on_commit_callbacks
):
    # The emitting process knows no handler; emit() must not stamp the event delivered.
    event = events.emit("thing.happened", n=3)
    seen = []
    events.register("thing.happened", lambda event: seen.append(event.pk), key="tests.late")
    deliver_event(event.pk)  # what the worker, which knows the handler, runs
    assert seen == [event.pk]


def test_the_sweep_delivers_events_the_broker_lost(calls):
    lost = events.emit("thing.happened", n=7)  # never committed through on_commit here
    DomainEvent.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert deliver_pending_events() == 1
    assert calls == [{"n": 7}]
    assert deliver_pending_events() == 0


def test_the_sweep_leaves_a_fresh_event_to_its_queued_task(calls):
    events.emit("thing.happened", n=6)
    assert deliver_pending_events() == 0
    assert calls == []


def test_the_sweep_takes_over_a_delivery_whose_worker_died(calls):
    stuck = events.emit("thing.happened", n=8)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    DomainEvent.objects.filter(pk=stuck.pk).update(created_at=long_ago, dispatched_at=long_ago)
    EventDelivery.objects.create(
        event=stuck, handler="tests.remember", state="running", claimed_at=long_ago, attempts=1
    )
    assert deliver_pending_events() == 1
    assert calls == [{"n": 8}]


def test_the_sweep_leaves_a_delivery_a_live_worker_is_handling(calls):
    busy = events.emit("thing.happened", n=9)
    DomainEvent.objects.filter(pk=busy.pk).update(dispatched_at=timezone.now())
    EventDelivery.objects.create(
        event=busy, handler="tests.remember", state="running", claimed_at=timezone.now()
    )
    assert deliver_pending_events() == 0
    assert calls == []


def test_commit_bumps_the_live_stamp_of_the_office(django_capture_on_commit_callbacks):
    office, other = OfficeFactory(), OfficeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("office.settings_changed", office=office, is_jobs_enabled=True)
        assert livesync.last_change([livesync.office_key(office.pk)]) == 0
    assert livesync.last_change([livesync.office_key(office.pk)]) > 0
    assert livesync.last_change([livesync.office_key(other.pk)]) == 0
    assert livesync.last_change([livesync.ANY]) > 0


def test_a_batch_is_one_insert_and_each_event_is_delivered_after_commit(
    calls, django_capture_on_commit_callbacks, django_assert_num_queries
):
    office, other = OfficeFactory(), OfficeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(1):
            events.emit_many(
                "thing.happened",
                [
                    {"office": office, "job": 1},
                    {"office": other.pk, "partner_name": "GDQ", "job": 2},
                ],
            )
        assert calls == []
    assert sorted(calls, key=lambda payload: payload["job"]) == [{"job": 1}, {"job": 2}]
    assert sorted(DomainEvent.objects.values_list("office_id", "partner_name")) == sorted(
        [(office.pk, ""), (other.pk, "GDQ")]
    )
    assert livesync.last_change([livesync.office_key(other.pk)]) > 0
    assert livesync.last_change([livesync.partner_key("GDQ")]) > 0


def test_a_handler_registered_twice_under_one_key_runs_once(registry):
    seen = []
    for _ in range(2):
        events.register("thing.happened", lambda event: seen.append(1), key="tests.once")
    deliver_event(events.emit("thing.happened").pk)
    assert seen == [1]
