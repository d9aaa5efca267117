"""Celery tasks of automation rules (listed in CELERY_IMPORTS). Each is safe to run twice:
a fire is stamped once, a queued log row is sent once (tests/core/test_celery_resilience.py)."""

from celery import shared_task

from automations.rules import firing, sending


@shared_task
def send_automations(log_ids: list[int]) -> int:
    """Send these queued fires (queued after the commit that wrote them). Returns sent."""
    return sending.send(log_ids)


@shared_task
def tick_automations() -> int:
    """Beat, every 5 minutes: the time rules' due records. Returns fires written."""
    return firing.tick()


@shared_task
def purge_old_automation_logs() -> int:
    """Beat, nightly: log rows and event stamps older than 90 days. Returns rows deleted."""
    return sending.purge_old()
