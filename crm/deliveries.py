"""Handing events to their handlers: one EventDelivery row per (event, handler).

`dispatch` (the worker, after commit; the sweep for events the broker lost) makes the
rows from the worker's registry. `run_due` claims due rows and runs each handler on its
own: a failure is recorded on its row and retried after BACKOFF, and never stops the
other handlers. Two sweeps never run one row twice (see `_claim`).
"""

import dataclasses
import datetime
import logging
import traceback
import uuid

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from crm import event_handlers, permissions
from crm.claims import claiming_sql
from crm.errors import DomainError
from crm.models import DomainEvent, EventDelivery
from crm.timeline.services import audit

logger = logging.getLogger(__name__)
State = EventDelivery.State

# Waits after the 1st, 2nd... failed attempt; a failure after the last fails for good.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A running claim older than this belongs to a worker that died (tasks are killed after
# 6 minutes): the sweep may take the row over.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
# An event the broker should have handed out by now.
DISPATCH_GRACE = datetime.timedelta(minutes=1)
BATCH = 1000
KEEP_FOR = datetime.timedelta(days=90)


def dispatch(event_ids) -> int:
    """Make the delivery rows of events not yet handed out; returns how many rows.

    Safe to run twice or concurrently: the (event, handler) unique constraint drops a
    second row, and an event already stamped is skipped.
    """
    now = timezone.now()
    pending = list(
        DomainEvent.objects.filter(pk__in=event_ids, dispatched_at__isnull=True).values_list(
            "pk", "name"
        )
    )
    if not pending:
        return 0
    rows = [
        EventDelivery(event_id=pk, handler=key, due_at=now, created_at=now)
        for pk, name in pending
        for key in event_handlers.keys_for(name)
    ]
    with transaction.atomic():
        EventDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
        DomainEvent.objects.filter(pk__in=[pk for pk, _ in pending]).update(dispatched_at=now)
    return len(rows)


def undispatched_event_ids(limit: int = BATCH) -> list[int]:
    cutoff = timezone.now() - DISPATCH_GRACE
    return list(
        DomainEvent.objects.filter(dispatched_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def _due(now: datetime.datetime) -> Q:
    return Q(state=State.PENDING, due_at__lte=now) | Q(
        state=State.RUNNING, claimed_at__lt=now - CLAIM_TIMEOUT
    )


# A claimed row as a run reads it: a small record, not a model (building 10,000 models
# with select_related was most of a sweep's time). Each event is built once.
_EVENT_FIELDS = DomainEvent._meta.concrete_fields
_EVENT_ATTNAMES = [field.attname for field in _EVENT_FIELDS]


@dataclasses.dataclass(slots=True)
class Claimed:
    pk: int
    handler: str
    attempts: int
    event: DomainEvent


def _claim(
    now: datetime.datetime, *, event_id: int | None = None, limit: int = BATCH
) -> tuple[str, list[Claimed]]:
    """Take up to `limit` due rows for this run and read them with their events.

    Returns the claim token stamped on the rows and the rows. The claim is one UPDATE
    that re-checks that each row is still due, so of two concurrent sweeps only one
    matches a row: SQLite runs one write at a time, and Postgres re-reads a row another
    transaction just changed. On Postgres the candidate rows are also locked with FOR
    UPDATE SKIP LOCKED, so a second sweep takes the next rows instead of waiting on the
    first one's, and the UPDATE returns what it claimed joined to the events: one round
    trip per batch.
    """
    token = uuid.uuid4().hex
    if connection.vendor == "postgresql":
        return token, _claim_returning(now, token, event_id=event_id, limit=limit)
    due = _due(now) & (Q(event_id=event_id) if event_id is not None else Q())
    candidates = EventDelivery.objects.filter(due).order_by("due_at").values("pk")[:limit]
    with transaction.atomic():
        EventDelivery.objects.filter(due, pk__in=candidates).update(
            state=State.RUNNING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
    rows = EventDelivery.objects.filter(state=State.RUNNING, claim=token).values_list(
        "pk", "handler", "attempts", *(f"event__{name}" for name in _EVENT_ATTNAMES)
    )
    return token, _records(rows)


def _claim_returning(
    now: datetime.datetime, token: str, *, event_id: int | None, limit: int
) -> list[Claimed]:
    # Raw SQL: the ORM has no UPDATE … RETURNING. Timestamps come back as text and are
    # parsed by datetime.fromisoformat: psycopg's pure-Python timestamptz loader took
    # ~50 ms per 10,000 rows. (The connection's TimeZone is UTC and DateStyle ISO: Django's.)
    due = (
        "((state = %(pending)s AND due_at <= %(now)s)"
        " OR (state = %(running)s AND claimed_at < %(stale)s))"
    ) + (" AND event_id = %(event_id)s" if event_id is not None else "")
    columns = ", ".join(
        f"e.{field.column}::text"
        if field.get_internal_type() == "DateTimeField"
        else f"e.{field.column}"
        for field in _EVENT_FIELDS
    )
    table = EventDelivery._meta.db_table
    sql = (
        claiming_sql(
            table,
            due=due,
            order="due_at",
            assignments="state = %(running)s, claim = %(token)s, claimed_at = %(now)s, "
            "attempts = attempts + 1",
            returning="id, handler, attempts, event_id",
        )
        + f"""
        SELECT claimed.id, claimed.handler, claimed.attempts, {columns}
        FROM claimed JOIN {DomainEvent._meta.db_table} e ON e.id = claimed.event_id
    """
    )
    params = {
        "pending": State.PENDING,
        "running": State.RUNNING,
        "now": now,
        "stale": now - CLAIM_TIMEOUT,
        "event_id": event_id,
        "token": token,
        "limit": limit,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = [
        (index, convert)
        for index, field in enumerate(_EVENT_FIELDS)
        if (convert := _converter(field)) is not None
    ]

    def converted(values: list) -> list:
        for index, convert in converters:
            values[index] = convert(values[index])
        return values

    return _records(rows, converted)


def _converter(field):
    if field.get_internal_type() == "DateTimeField":
        return lambda text: None if text is None else datetime.datetime.fromisoformat(text)
    if hasattr(field, "from_db_value"):  # the JSON payload arrives as text
        return lambda value: field.from_db_value(value, None, connection)
    return None


def _records(rows, converted=list) -> list[Claimed]:
    """Rows of (pk, handler, attempts, *event fields) as records; each event built once,
    as a queryset would (DomainEvent.from_db), however many of its handlers are due."""
    events: dict[int, DomainEvent] = {}
    claimed = []
    for row in rows:
        event_pk = row[3]
        if (event := events.get(event_pk)) is None:
            event = events[event_pk] = DomainEvent.from_db(
                connection.alias, _EVENT_ATTNAMES, converted(list(row[3:]))
            )
        claimed.append(Claimed(row[0], row[1], row[2], event))
    return claimed


def run_due(*, event_id: int | None = None, batches: int = 20) -> int:
    """Run the handlers of due deliveries (of one event, or all), batch by batch."""
    ran = 0
    for _ in range(batches):
        token, claimed = _claim(timezone.now(), event_id=event_id)
        _run(claimed, token)
        ran += len(claimed)
        if len(claimed) < BATCH:
            break
    return ran


def _run(claimed: list[Claimed], token: str) -> None:
    failed = []
    handler_for = event_handlers.handler_for
    for delivery in claimed:
        event = delivery.event
        handler = handler_for(event.name, delivery.handler)
        try:
            if handler is None:
                raise LookupError(f"No handler {delivery.handler} is registered in this worker.")
            # No atomic() per handler: a savepoint or transaction per delivery doubles the
            # sweep's round trips. A handler writing several rows wraps them itself.
            handler(event)
        except Exception:
            failed.append(delivery.pk)
            _record_failure(delivery, traceback.format_exc(limit=5))
    # Every row still held under this token succeeded: one UPDATE for the whole batch.
    EventDelivery.objects.filter(state=State.RUNNING, claim=token).exclude(pk__in=failed).update(
        state=State.DONE, claim="", delivered_at=timezone.now(), error=""
    )


def _record_failure(delivery: Claimed, error: str) -> None:
    event, attempts = delivery.event, delivery.attempts
    is_final = attempts >= MAX_ATTEMPTS
    EventDelivery.objects.filter(pk=delivery.pk).update(
        state=State.FAILED if is_final else State.PENDING,
        claim="",
        error=error,
        due_at=timezone.now() + (BACKOFF[attempts - 1] if not is_final else datetime.timedelta()),
    )
    log = logger.error if is_final else logger.warning
    log(
        "Handler %s failed on %s (attempt %s of %s)%s: %s",
        delivery.handler,
        event,
        attempts,
        MAX_ATTEMPTS,
        ", failed for good" if is_final else "",
        error.strip().splitlines()[-1],
    )


def failures():
    """Deliveries that failed for good, newest first, for CP → 🩺 System."""
    return (
        EventDelivery.objects.filter(state=State.FAILED)
        .select_related("event")
        .order_by("-created_at")
    )


def failure_count() -> int:
    return EventDelivery.objects.filter(state=State.FAILED).count()


@transaction.atomic
def retry(*, actor, delivery_id: int) -> EventDelivery:
    """Owner only: run a failed handler again, with a fresh set of attempts. Audited."""
    if not permissions.can(actor, "controlpanel.access"):
        raise PermissionDenied("Only the owner retries failed handlers.")
    delivery = (
        EventDelivery.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.state != State.FAILED:
        raise DomainError("That handler is no longer failed: it was retried already.")
    delivery.state, delivery.attempts, delivery.due_at = State.PENDING, 0, timezone.now()
    delivery.save(update_fields=["state", "attempts", "due_at"])
    audit(
        "event_delivery.retried",
        f"Handler {delivery.handler} retried on {delivery.event}",
        actor=actor,
        metadata={"delivery_id": delivery.pk, "event_id": delivery.event_id},
    )
    return delivery  # due now: the next sweep (within a minute) runs it


def purge_old() -> int:
    """Delete events older than 90 days with their deliveries; returns events deleted.

    In batches, so a first run over a long backlog holds neither memory nor locks long.
    """
    cutoff = timezone.now() - KEEP_FOR
    deleted = 0
    while ids := list(
        DomainEvent.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:BATCH]
    ):
        with transaction.atomic():
            EventDelivery.objects.filter(event_id__in=ids).delete()
            DomainEvent.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted
