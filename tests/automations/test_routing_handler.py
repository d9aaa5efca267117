"""The registered handler end to end: a domain action's event goes through crm.events
(Celery eager, as the suite runs) to `webhooks.fan_out`, which makes the deliveries,
counts each slot fired once and queues the deliveries for sending after commit."""

import pytest

from automations.webhooks import handlers
from automations.webhooks.models import DailyCount, Delivery, Endpoint, Slot
from crm import event_handlers
from crm.models import DomainEvent
from leads import services as leads
from tests.factories import OfficeFactory, lead_source

pytestmark = pytest.mark.django_db
sending = pytest.importorskip(
    "automations.webhooks.sending", reason="the ENGINE helper's sending.queue is not in yet"
)
counting = pytest.importorskip(
    "automations.webhooks.counting", reason="the ENGINE helper's counting.fired is not in yet"
)


@pytest.fixture
def queued(monkeypatch):
    """What the handler handed to the sender (the sender itself is the ENGINE's tests')."""
    calls = []
    monkeypatch.setattr(sending, "queue", lambda ids: calls.append(sorted(ids)))
    return calls


def test_the_handler_is_registered_for_the_routed_events_only():
    for name in ("job.created", "job.status_changed", "lead.created", "lead.status_changed"):
        assert handlers.KEY in event_handlers.keys_for(name)
    for name in ("job.imported", "job.updated", "lead.claimed", "lead.reactivated"):
        assert handlers.KEY not in event_handlers.keys_for(name)


def test_a_new_lead_is_delivered_counted_once_and_queued_after_commit(
    queued, django_capture_on_commit_callbacks
):
    main = Endpoint.objects.create(slot=Slot.NEW_LEAD, is_main=True, url="http://127.0.0.1:9/m")
    fan = Endpoint.objects.create(
        slot=Slot.NEW_LEAD, url="http://127.0.0.1:9/f", data=[["n", "{{FirstName}}"]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        leads.create_lead(
            office=OfficeFactory(name="Garage"),
            source=lead_source("facebook"),
            first_name="Rosa",
            phone="+13055550199",
            via="webhook",
        )
    made = {row.endpoint_id: row for row in Delivery.objects.all()}
    assert set(made) == {main.pk, fan.pk}
    assert made[fan.pk].body == '{"n": "Rosa"}'
    assert queued == [sorted(row.pk for row in made.values())]
    assert DailyCount.objects.get(slot=Slot.NEW_LEAD, url="").fired == 1


def test_the_handler_run_twice_makes_no_second_delivery_and_counts_once(
    queued, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(slot=Slot.NEW_LEAD, is_main=True, url="http://127.0.0.1:9/m")
    with django_capture_on_commit_callbacks(execute=True):
        leads.create_lead(
            office=OfficeFactory(name="Garage"),
            source=lead_source("facebook"),
            first_name="Rosa",
            phone="+13055550199",
            via="webhook",
        )
    event = DomainEvent.objects.get(name="lead.created")
    with django_capture_on_commit_callbacks(execute=True):
        assert handlers.deliver(event) == []
    assert Delivery.objects.count() == 1
    assert DailyCount.objects.get(slot=Slot.NEW_LEAD, url="").fired == 1
    assert len(queued) == 1


def test_an_event_with_no_endpoint_makes_nothing_and_counts_nothing(queued):
    OfficeFactory(name="Garage")
    event = DomainEvent.objects.create(
        name="lead.created", payload={"lead": 1, "snapshot": {}, "via": "x"}
    )
    assert handlers.deliver(event) == []
    assert not DailyCount.objects.exists() and queued == []
