"""Celery tasks of outbound webhooks (listed in CELERY_IMPORTS: autodiscovery reads only
an app's own tasks.py). Each is safe to run twice: a try is claimed before it is sent, and
a claimed or finished row is never claimed again (tests/core/test_celery_resilience.py)."""

from celery import shared_task

from automations.webhooks import sending


@shared_task
def send_webhooks(delivery_ids: list[int]) -> int:
    """Send these deliveries now (queued after the commit that made them). A redelivered
    task finds them claimed or done and sends nothing. Returns tries made."""
    return sending.send(delivery_ids)


@shared_task
def sweep_webhooks() -> int:
    """Beat, every 30 s: every due try (first tries the broker lost, retries on their
    schedule, rows of a worker that died). Returns tries made."""
    return sending.send_due()


@shared_task
def purge_old_webhooks() -> int:
    """Beat, nightly at 3:30 AM business time: tries and finished deliveries older than
    30 days (the daily counts stay). Returns rows deleted."""
    return sending.purge_old()
