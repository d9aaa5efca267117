from celery import shared_task

from jobs.services import auto_status


@shared_task
def advance_submitted_jobs() -> int:
    """Beat, every 15 minutes: the Auto Status Change rule (idempotent)."""
    return auto_status.advance_due_jobs()
