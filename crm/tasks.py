from celery import shared_task
from celery.signals import worker_ready

from crm import deliveries, health, ratelimit


@shared_task
def deliver_event(event_id: int) -> None:
    """Hand one event to the handlers this worker's registry knows and run them.

    A second run is a no-op: the event is handed out once, and each delivery row is
    claimed before its handler runs (a done row is never claimed again)."""
    deliveries.dispatch([event_id])
    deliveries.run_due(event_id=event_id)


@shared_task
def deliver_pending_events() -> int:
    """Beat, every minute: hand out events the broker lost, then run every due delivery
    (retries on their backoff, rows whose worker died). Returns deliveries run."""
    while ids := deliveries.undispatched_event_ids():
        deliveries.dispatch(ids)
    return deliveries.run_due()


@shared_task
def purge_old_events() -> int:
    """Beat, nightly: events older than 90 days go, with their deliveries."""
    return deliveries.purge_old()


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
