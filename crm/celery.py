"""The Celery app: every scheduled and every outbound job runs here."""

import logging.config
import os

import structlog
from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Worker and beat log like the web: any receiver here stops Celery from replacing
    the root logger's handlers with its own format (worker_hijack_root_logger)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Tokens to restore what was bound before a task, by task id: an eager task runs inside
# a request and must leave its request id in place when it ends.
_bound_for_task: dict[str, dict] = {}


@signals.task_prerun.connect
def bind_task_ids(task_id: str, task, **kwargs) -> None:
    """Every line a task logs carries its id and name; Celery's own failure line, with
    the traceback, is logged before task_postrun and so carries them too."""
    _bound_for_task[task_id] = structlog.contextvars.bind_contextvars(
        task_id=task_id, task_name=task.name
    )


@signals.task_postrun.connect
def unbind_task_ids(task_id: str, **kwargs) -> None:
    tokens = _bound_for_task.pop(task_id, None)
    if tokens:
        structlog.contextvars.reset_contextvars(**tokens)
