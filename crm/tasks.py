import datetime
import logging
import traceback

from celery import shared_task
from celery.signals import worker_ready
from django.db.models import Q
from django.utils import timezone

from crm import events, health, ratelimit
from crm.models import DomainEvent

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died; the sweep may take the event over.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)


def _claimable(now: datetime.datetime) -> Q:
    return Q(delivered_at__isnull=True) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


@shared_task
def deliver_event(event_id: int) -> None:
    """Run every handler of one event, once: a second delivery of the same id is a no-op."""
    now = timezone.now()
    # One conditional UPDATE is the claim: of two concurrent deliveries only one matches.
    claimed = DomainEvent.objects.filter(_claimable(now), pk=event_id).update(claimed_at=now)
    if not claimed:
        return
    event = DomainEvent.objects.get(pk=event_id)
    failures = []
    for handler in events.handlers_for(event.name):
        try:
            handler(event)
        except Exception:
            logger.exception("Handler %s failed on %s", handler.__qualname__, event)
            failures.append(f"{handler.__qualname__}: {traceback.format_exc(limit=3)}")
    DomainEvent.objects.filter(pk=event_id).update(
        delivered_at=timezone.now(), errors="\n".join(failures)
    )


@shared_task
def deliver_pending_events() -> int:
    """Beat sweep: hand over events the broker never delivered (older than a minute)."""
    now = timezone.now()
    pending = DomainEvent.objects.filter(
        _claimable(now), created_at__lt=now - datetime.timedelta(minutes=1)
    )
    ids = list(pending.order_by("created_at").values_list("pk", flat=True)[:500])
    for event_id in ids:
        deliver_event(event_id)
    return len(ids)


@shared_task
def stamp_worker_heartbeat() -> None:
    """Beat sends this every minute; /healthz reports the worker down once it stops landing."""
    health.stamp_heartbeat()


@worker_ready.connect
def stamp_heartbeat_when_a_worker_starts(**kwargs) -> None:
    # Otherwise a fresh deployment answers 503 until beat's first tick reaches the worker.
    health.stamp_heartbeat()


@shared_task
def purge_expired_rate_limits() -> int:
    """Beat, daily: counters of windows that have closed (kept only without Redis)."""
    return ratelimit.purge_expired()
