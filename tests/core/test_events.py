import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from crm import events, livesync
from crm.models import DomainEvent
from crm.tasks import deliver_event, deliver_pending_events
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Register handlers for a test-only event and record what they saw."""
    seen = []
    monkeypatch.setattr(events, "_handlers", events.defaultdict(list))

    @events.on("thing.happened")
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
    assert DomainEvent.objects.get().delivered_at is not None


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


def test_a_failing_handler_is_logged_on_the_event_and_others_still_run(
    calls, django_capture_on_commit_callbacks
):
    @events.on("thing.happened")
    def explode(event):
        raise ValueError("webhook endpoint said 500")

    @events.on("thing.happened")
    def after(event):
        calls.append("after ran")

    with django_capture_on_commit_callbacks(execute=True):
        event = events.emit("thing.happened", n=1)
    assert calls == [{"n": 1}, "after ran"]
    event.refresh_from_db()
    assert "webhook endpoint said 500" in event.errors
    assert event.delivered_at is not None


def test_a_second_delivery_of_the_same_event_is_a_no_op(calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = events.emit("thing.happened", n=1)
    deliver_event(event.pk)
    deliver_event(event.pk)
    assert calls == [{"n": 1}]


def test_the_sweep_delivers_events_the_broker_lost(calls):
    lost = events.emit("thing.happened", n=7)  # never committed through on_commit here
    DomainEvent.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert deliver_pending_events() == 1
    assert calls == [{"n": 7}]
    assert deliver_pending_events() == 0


def test_the_sweep_takes_over_an_event_whose_worker_died(calls):
    stuck = events.emit("thing.happened", n=8)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    DomainEvent.objects.filter(pk=stuck.pk).update(created_at=long_ago, claimed_at=long_ago)
    assert deliver_pending_events() == 1
    assert calls == [{"n": 8}]


def test_the_sweep_leaves_an_event_a_live_worker_is_handling(calls):
    busy = events.emit("thing.happened", n=9)
    DomainEvent.objects.filter(pk=busy.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5), claimed_at=timezone.now()
    )
    assert deliver_pending_events() == 0
    assert calls == []


def test_commit_bumps_the_live_stamp_of_the_office(django_capture_on_commit_callbacks):
    office, other = OfficeFactory(), OfficeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("office.settings_changed", office=office)
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
