"""↻ Replay (automations/webhooks/replaying.py) and the dead deliveries on CP → 🩺 System."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from automations.webhooks import replaying, sending
from automations.webhooks.models import Delivery, DeliveryState, Endpoint
from crm.accounts.models import Role
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from tests.automations import engine_receiver as receivers

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = receivers.start((410, {}, "gone for now"))
    yield server
    receivers.stop(server)


def _dead(receiver, endpoint=None) -> Delivery:
    endpoint = endpoint or receivers.endpoint(receiver.url)
    delivery = receivers.delivery(endpoint)
    sending.send([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    return delivery


def test_a_replay_sends_the_same_id_and_body_as_a_new_run(
    receiver, owner, django_capture_on_commit_callbacks
):
    delivery = _dead(receiver)
    receiver.answers = [(200, {}, "back")]
    with django_capture_on_commit_callbacks(execute=True):
        replaying.replay(actor=owner, delivery_id=delivery.pk)

    (_, first, body1), (_, second, body2) = receiver.received
    assert second["webhook-id"] == first["webhook-id"] == delivery.webhook_id
    assert body2 == body1 == delivery.body.encode()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.run_attempts) == ("delivered", 2, 1)
    assert Endpoint.objects.get(pk=delivery.endpoint_id).gone_at is None  # the owner said so
    entry = AuditEvent.objects.get(kind="webhook.replayed")
    assert entry.actor == owner and entry.metadata["delivery"] == delivery.pk


def test_replay_all_dead_sends_every_dead_delivery_of_the_endpoint(
    receiver, owner, django_capture_on_commit_callbacks
):
    endpoint = receivers.endpoint(receiver.url)
    dead = [_dead(receiver, endpoint)]
    Endpoint.objects.filter(pk=endpoint.pk).update(gone_at=None)
    dead.append(_dead(receiver, endpoint))
    other = _dead(receiver, receivers.endpoint(receiver.url, name="Other"))
    receiver.answers = [(200, {}, "back")]
    with django_capture_on_commit_callbacks(execute=True):
        assert replaying.replay_all_dead(actor=owner, endpoint_id=endpoint.pk) == 2
    states = dict(Delivery.objects.values_list("pk", "state"))
    assert [states[d.pk] for d in dead] == ["delivered", "delivered"]
    assert states[other.pk] == "dead"
    assert AuditEvent.objects.get(kind="webhook.replayed_all").metadata["count"] == 2
    assert replaying.replay_all_dead(actor=owner, endpoint_id=endpoint.pk) == 0


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER])
def test_non_owners_are_denied_replay(receiver, make_user, role):
    delivery = _dead(receiver)
    user = make_user(role=role)
    with pytest.raises(PermissionDenied):
        replaying.replay(actor=user, delivery_id=delivery.pk)
    with pytest.raises(PermissionDenied):
        replaying.replay_all_dead(actor=user, endpoint_id=delivery.endpoint_id)
    assert Delivery.objects.get(pk=delivery.pk).state == "dead"
    assert not AuditEvent.objects.filter(kind__startswith="webhook.replayed").exists()


def test_a_delivery_whose_endpoint_is_gone_or_disabled_is_not_replayed(receiver, owner):
    delivery = _dead(receiver)
    Endpoint.objects.filter(pk=delivery.endpoint_id).update(enabled=False)
    with pytest.raises(DomainError, match="disabled"):
        replaying.replay(actor=owner, delivery_id=delivery.pk)
    Endpoint.objects.filter(pk=delivery.endpoint_id).delete()
    with pytest.raises(DomainError, match="deleted"):
        replaying.replay(actor=owner, delivery_id=delivery.pk)


def test_the_system_page_lists_dead_deliveries_with_replay(receiver, client, owner):
    delivery = _dead(receiver)
    client.force_login(owner)
    page = client.get(reverse("controlpanel:system")).content.decode().replace("<wbr>", "")
    assert "Dead webhook deliveries" in page
    assert delivery.url in page and "410" in page
    assert reverse("automations:webhook_replay", args=[delivery.pk]) in page
