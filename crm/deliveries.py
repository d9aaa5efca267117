"""Handing events to their handlers: one EventDelivery row per (event, handler).

`dispatch` (the worker, after commit; the sweep for events the broker lost) makes the
rows from the worker's registry. `run_due` claims due rows and runs each handler on its
own: a failure is recorded on its row and retried after BACKOFF, and never stops the
other handlers. Two sweeps never run one row twice (see `_claim`).
"""

import datetime
import logging
import traceback
import uuid

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from crm import event_handlers, permissions
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


def _claim(now: datetime.datetime, *, event_id: int | None = None, limit: int = BATCH) -> str:
    """Take up to `limit` due rows for this run; returns the claim token stamped on them.

    One UPDATE is the claim, and it re-checks that each row is still due, so of two
    concurrent sweeps only one matches a row: SQLite runs one write at a time, and
    Postgres re-reads a row another transaction just changed. On Postgres the candidate
    rows are also locked with FOR UPDATE SKIP LOCKED, so a second sweep takes the next
    rows instead of waiting on the first one's.
    """
    token = uuid.uuid4().hex
    due = _due(now) & (Q(event_id=event_id) if event_id is not None else Q())
    candidates = EventDelivery.objects.filter(due).order_by("due_at").values("pk")[:limit]
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True)
    with transaction.atomic():
        EventDelivery.objects.filter(due, pk__in=candidates).update(
            state=State.RUNNING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
    return token


def run_due(*, event_id: int | None = None, batches: int = 20) -> int:
    """Run the handlers of due deliveries (of one event, or all), batch by batch."""
    ran = 0
    for _ in range(batches):
        token = _claim(timezone.now(), event_id=event_id)
        claimed = list(
            EventDelivery.objects.filter(state=State.RUNNING, claim=token).select_related("event")
        )
        _run(claimed, token)
        ran += len(claimed)
        if len(claimed) < BATCH:
            break
    return ran


def _run(claimed: list[EventDelivery], token: str) -> None:
    failed = []
    for delivery in claimed:
        handler = event_handlers.handler_for(delivery.event.name, delivery.handler)
        try:
            if handler is None:
                raise LookupError(f"No handler {delivery.handler} is registered in this worker.")
            # No atomic() per handler: a savepoint or transaction per delivery doubles the
            # sweep's round trips. A handler writing several rows wraps them itself.
            handler(delivery.event)
        except Exception:
            failed.append(delivery.pk)
            _record_failure(delivery, traceback.format_exc(limit=5))
    # Every row still held under this token succeeded: one UPDATE for the whole batch.
    EventDelivery.objects.filter(state=State.RUNNING, claim=token).exclude(pk__in=failed).update(
        state=State.DONE, claim="", delivered_at=timezone.now(), error=""
    )


def _record_failure(delivery: EventDelivery, error: str) -> None:
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
