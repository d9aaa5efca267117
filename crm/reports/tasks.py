from celery import shared_task

from crm.reports import services


@shared_task
def send_email_reports() -> int:
    """The emailed reports' tick (every 15 minutes): sends whatever is due."""
    return services.send_due_reports()
