from celery import shared_task

from crm.todos import recurring


@shared_task
def generate_recurring_tasks() -> int:
    """Beat, every 15 minutes: today's tasks of the recurring templates whose time has come
    (New York clock). Safe to run twice at once: returns the tasks this run inserted."""
    return recurring.generate_recurring()
