"""Domain events: `emit()` inside an action, handlers after commit.

`emit` checks the event against the catalogue (`crm/event_catalogue.py`), then writes a
DomainEvent row in the caller's transaction (so an event exists exactly when its change
does). On commit the live-sync stamp is bumped in-process and `crm.tasks.deliver_event`
is queued: the worker hands the event to the handlers *its* registry knows (each app
registers them in AppConfig.ready(), see `on`), one delivery row per handler, each run,
recorded and retried on its own (`crm.deliveries`). What the emitting process imported
never decides whether an event is delivered.
"""

import datetime
import decimal
import logging

from django.db import models, transaction

from crm import event_catalogue, livesync
from crm.event_handlers import on, register
from crm.models import DomainEvent

__all__ = ["emit", "emit_many", "jsonable", "on", "register"]

logger = logging.getLogger(__name__)


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

    Raises `event_catalogue.UnknownEvent` for a name or fields the catalogue doesn't
    list (a programming error). Model instances in `data` are stored as their keys.
    """
    event_catalogue.check(name, data)
    event = DomainEvent.objects.create(
        name=name,
        office_id=getattr(office, "pk", office),
        partner_name=partner_name,
        actor=actor if getattr(actor, "pk", None) else None,
        payload=jsonable(data),
    )
    transaction.on_commit(lambda: _after_commit([event]))
    return event


def emit_many(name: str, items: list[dict], *, actor=None) -> list[DomainEvent]:
    """`emit` for a batch (a tick moving a whole evening's jobs): one insert, one
    after-commit step. Each item holds `office`, `partner_name` and the event's data."""
    rows = []
    for item in items:
        data = {k: v for k, v in item.items() if k not in ("office", "partner_name")}
        event_catalogue.check(name, data)
        rows.append(
            DomainEvent(
                name=name,
                office_id=getattr(item.get("office"), "pk", item.get("office")),
                partner_name=item.get("partner_name", ""),
                actor=actor if getattr(actor, "pk", None) else None,
                payload=jsonable(data),
            )
        )
    events = DomainEvent.objects.bulk_create(rows)
    transaction.on_commit(lambda: _after_commit(events))
    return events


def _after_commit(events: list[DomainEvent]) -> None:
    # Imported here: crm.tasks → crm.deliveries → crm.timeline (audit) → this module.
    from crm.tasks import deliver_event

    for event in events:
        livesync.bump(office_id=event.office_id, partner_name=event.partner_name)
    for event in events:
        try:
            deliver_event.delay(event.pk)
        except Exception:  # broker down: the beat sweep hands it out later
            logger.exception("Could not queue %s; the sweep will deliver it", event)
