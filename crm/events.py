"""Domain events: `emit()` inside an action, handlers after commit.

`emit` writes a DomainEvent row in the caller's transaction (so an event exists exactly
when its change does). On commit the live-sync stamp is bumped in-process and the event
is handed to Celery; `crm.tasks.deliver_event` runs every handler registered with `on()`.
A failing handler is logged on the event and never breaks the action or other handlers.
"""

import datetime
import decimal
import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import models, transaction
from django.utils import timezone

from crm import livesync
from crm.models import DomainEvent

logger = logging.getLogger(__name__)
_handlers: dict[str, list[Callable[[DomainEvent], None]]] = defaultdict(list)


def on(name: str) -> Callable:
    """Register a handler for event `name` (call at import time, from an app's ready())."""

    def register(handler: Callable[[DomainEvent], None]) -> Callable:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def handlers_for(name: str) -> list[Callable[[DomainEvent], None]]:
    return list(_handlers.get(name, ()))


def jsonable(value):
    """Make `value` storable as JSON: model instances become their primary keys."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


def emit(name: str, *, office=None, partner_name: str = "", actor=None, **data) -> DomainEvent:
    """Record event `name` (noun.past_verb) with `data`; handlers see it after commit.

    Model instances in `data` are stored as their primary keys: handlers re-fetch.
    """
    has_handlers = bool(handlers_for(name))
    event = DomainEvent.objects.create(
        name=name,
        office_id=getattr(office, "pk", office),
        partner_name=partner_name,
        actor=actor if getattr(actor, "pk", None) else None,
        payload=jsonable(data),
        # Nobody listens yet: the row is the record, already delivered.
        delivered_at=None if has_handlers else timezone.now(),
    )
    transaction.on_commit(lambda: _after_commit(event, has_handlers))
    return event


def emit_many(name: str, items: list[dict], *, actor=None) -> list[DomainEvent]:
    """`emit` for a batch (a tick moving a whole evening's jobs): one insert, one
    after-commit step. Each item holds `office`, `partner_name` and the event's data."""
    has_handlers = bool(handlers_for(name))
    delivered_at = None if has_handlers else timezone.now()
    events = DomainEvent.objects.bulk_create(
        DomainEvent(
            name=name,
            office_id=getattr(item.get("office"), "pk", item.get("office")),
            partner_name=item.get("partner_name", ""),
            actor=actor if getattr(actor, "pk", None) else None,
            payload=jsonable(
                {k: v for k, v in item.items() if k not in ("office", "partner_name")}
            ),
            delivered_at=delivered_at,
        )
        for item in items
    )
    transaction.on_commit(lambda: [_after_commit(event, has_handlers) for event in events])
    return events


def _after_commit(event: DomainEvent, has_handlers: bool) -> None:
    livesync.bump(office_id=event.office_id, partner_name=event.partner_name)
    if not has_handlers:
        return
    from crm.tasks import deliver_event

    try:
        deliver_event.delay(event.pk)
    except Exception:  # broker down: the beat sweep delivers it later
        logger.exception("Could not queue %s; the sweep will deliver it", event)
