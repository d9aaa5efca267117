"""↻ Replay: a logged delivery sent again, with the same webhook-id and the same body bytes
(the receiver's idempotency key still works), as a new run of the schedule (10 tries), to
the endpoint's current URL (a URL corrected since is where a replay should go). Owner
only (webhooks.replay), audited.
"""

from django.db import transaction
from django.utils import timezone

from automations.webhooks import sending
from automations.webhooks.models import Delivery, DeliveryState, Endpoint
from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit

REPLAY = "webhooks.replay"


def _sendable(endpoint: Endpoint | None) -> Endpoint:
    if endpoint is None:
        raise DomainError("Its endpoint was deleted: there is nowhere to send it again.")
    if not endpoint.enabled:
        raise DomainError("Its endpoint is disabled: enable it, then replay.")
    return endpoint


def _restart(endpoint: Endpoint, now) -> dict:
    """A new run, due now; a 410 flag on the endpoint is cleared (the owner says the
    receiver is back)."""
    if endpoint.gone_at:
        Endpoint.objects.filter(pk=endpoint.pk).update(gone_at=None)
    return {
        "state": DeliveryState.PENDING,
        "run_attempts": 0,
        "next_attempt_at": now,
        "claimed_until": None,
        "dead_at": None,
        "url": endpoint.url,
    }


@transaction.atomic
def replay(*, actor, delivery_id: int) -> Delivery:
    """Send one logged delivery again (any state); sent after commit."""
    check(actor, REPLAY)
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise DomainError("That delivery is no longer in the log (kept 30 days).")
    endpoint = _sendable(delivery.endpoint)
    now = timezone.now()
    if delivery.claimed_until and delivery.claimed_until > now:
        raise DomainError("It is being sent right now: look again in a minute.")
    was = delivery.state
    changes = _restart(endpoint, now)
    for field, value in changes.items():
        setattr(delivery, field, value)
    delivery.save(update_fields=list(changes))
    audit(
        "webhook.replayed",
        f"Webhook {delivery.event_name} replayed to {delivery.url} (was {was})",
        actor=actor,
        metadata={
            "delivery": delivery.pk,
            "event_id": delivery.event_id,
            "endpoint": endpoint.pk,
            "webhook_id": delivery.webhook_id,
        },
    )
    events.emit("webhook_deliveries.replayed", actor=actor, endpoint_id=endpoint.pk, count=1)
    pk = delivery.pk
    transaction.on_commit(lambda: sending.queue([pk]))
    return delivery


@transaction.atomic
def replay_all_dead(*, actor, endpoint_id: int) -> int:
    """Send every dead delivery of one endpoint again; returns how many."""
    check(actor, REPLAY)
    endpoint = _sendable(Endpoint.objects.filter(pk=endpoint_id).first())
    now = timezone.now()
    dead = Delivery.objects.select_for_update().filter(endpoint=endpoint, state=DeliveryState.DEAD)
    ids = list(dead.values_list("pk", flat=True))
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(**_restart(endpoint, now))
    audit(
        "webhook.replayed_all",
        f"{len(ids)} dead webhook deliveries replayed to {endpoint.url}",
        actor=actor,
        metadata={"endpoint": endpoint.pk, "deliveries": ids[:1000], "count": len(ids)},
    )
    events.emit("webhook_deliveries.replayed", actor=actor, endpoint_id=endpoint.pk, count=len(ids))
    transaction.on_commit(lambda: sending.queue(ids))
    return len(ids)
