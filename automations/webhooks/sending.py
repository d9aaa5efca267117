"""Sending deliveries: each try claimed, signed, posted, logged and counted.

A delivery is written by the routing handler (state pending, due now) and `queue`d after
commit: a Celery task sends it at once. The beat sweep (`send_due`, every 30 s) sends
every due row besides: first tries the broker lost and retries on their schedule (no
Celery countdowns), so a broker outage or a killed worker delays a delivery but never
loses it. Claiming shares crm/claims.py with the event sweep: on Postgres one UPDATE
over candidates locked FOR UPDATE SKIP LOCKED (a second sweep takes the next rows instead
of waiting), re-checking each row is due and unclaimed, RETURNING what it took; on SQLite,
which runs one write at a time, a conditional UPDATE per row. Two sweeps never send one
try twice. A claim is stamped `claimed_until`: a worker that dies mid-batch leaves rows the sweep
takes over once the stamp has passed.

An endpoint deleted, disabled or flagged Gone (410) stops its deliveries: at their next
try they go dead with that reason in last_error, without a request (dead, not skipped:
the owner sees them on the System page and can replay them once the endpoint is back).
"""

import base64
import datetime
import logging
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from automations.webhooks import client, counting, schedule, signing, targets
from automations.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint
from crm.claims import claiming_sql, commit_unflushed
from crm.timeline.services import audit

logger = logging.getLogger(__name__)

ACTIVE = (DeliveryState.PENDING, DeliveryState.RETRYING)
BATCH = 20  # tries claimed at once and sent one after another
# The sweep starts no new batch after this long: it ends inside the task's soft limit
# (5 min), and the next sweep 30 s later goes on.
SWEEP_BUDGET = datetime.timedelta(minutes=4)
KEEP_FOR = datetime.timedelta(days=30)
PURGE_BATCH = 1000
USER_AGENT = "BookBack-Webhooks/1.0"
# Headers the sender sets itself: a builder's header of these names is dropped.
OWN_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "webhook-id", "webhook-timestamp",
     "webhook-signature"}
)  # fmt: skip
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})


def claim_timeout() -> datetime.timedelta:
    """How long a claim holds: a whole batch of tries at the longest, plus a minute."""
    return datetime.timedelta(seconds=BATCH * float(settings.WEBHOOK_TOTAL_TIMEOUT) + 60)


# --- queueing and claiming -------------------------------------------------------------


def queue(delivery_ids: list[int]) -> None:
    """Send these deliveries now, through a Celery task (call it from on_commit). With the
    broker down the rows wait for the sweep: nothing is lost, nothing raised."""
    from automations.webhooks import tasks  # tasks imports this module

    ids = [int(pk) for pk in delivery_ids]
    for start in range(0, len(ids), BATCH):
        try:
            tasks.send_webhooks.delay(ids[start : start + BATCH])
        except Exception:  # the broker is down: the sweep sends them within 30 s
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.warning("Webhook deliveries %s wait for the sweep: broker unreachable", ids)
            return


def _due(now: datetime.datetime) -> Q:
    return Q(state__in=ACTIVE, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _claim(now: datetime.datetime, ids: list[int] | None = None, limit: int = BATCH) -> list[int]:
    """Stamp up to `limit` due, unclaimed rows (of `ids`, or any) as ours; their ids."""
    until = now + claim_timeout()
    if connection.vendor == "postgresql":
        return _claim_returning(now, until, ids, limit)
    candidates = Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    if ids is not None:
        candidates = candidates.filter(pk__in=ids)
    claimed = []
    for pk in candidates.values_list("pk", flat=True)[:limit]:
        if Delivery.objects.filter(_due(now), pk=pk).update(claimed_until=until):
            claimed.append(pk)
    return claimed


def _claim_returning(
    now: datetime.datetime, until: datetime.datetime, ids: list[int] | None, limit: int
) -> list[int]:
    # Raw SQL: the ORM has no UPDATE … RETURNING. The states are written into the
    # statement so the planner can prove the due index's partial condition.
    table = Delivery._meta.db_table
    states = ", ".join(f"'{state}'" for state in ACTIVE)
    due = (
        f"state IN ({states}) AND next_attempt_at <= %(now)s"
        " AND (claimed_until IS NULL OR claimed_until < %(now)s)"
    ) + (" AND id = ANY(%(ids)s)" if ids is not None else "")
    sql = (
        claiming_sql(
            table,
            due=due,
            order="next_attempt_at",
            assignments="claimed_until = %(until)s",
            returning="id",
        )
        + "SELECT id FROM claimed"
    )
    params = {"now": now, "until": until, "ids": ids, "limit": limit}
    with transaction.atomic():
        commit_unflushed()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]


def send(delivery_ids: list[int]) -> int:
    """Send those of these deliveries that are due and not claimed by another run (the
    queue task: a redelivered task finds them claimed or done and sends nothing)."""
    ids = [int(pk) for pk in delivery_ids]
    sent = 0
    for start in range(0, len(ids), BATCH):
        sent += _send_claimed(_claim(timezone.now(), ids[start : start + BATCH]))
    return sent


def send_due() -> int:
    """The beat sweep: send every due try, batch by batch; returns tries made."""
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < SWEEP_BUDGET.total_seconds():
        claimed = _claim(timezone.now())
        sent += _send_claimed(claimed)
        if len(claimed) < BATCH:
            break
    return sent


def _send_claimed(ids: list[int]) -> int:
    if not ids:
        return 0
    deliveries = list(Delivery.objects.filter(pk__in=ids))
    # Each endpoint read (and its secrets decrypted) once a batch, not once a delivery.
    endpoints = Endpoint.objects.in_bulk({row.endpoint_id for row in deliveries} - {None})
    for delivery in deliveries:
        delivery.endpoint = endpoints.get(delivery.endpoint_id)
    tries = []
    for delivery in sorted(deliveries, key=lambda row: (row.next_attempt_at, row.pk)):
        reason = stopped_reason(delivery.endpoint)
        if reason:
            _stop(delivery, reason)
            continue
        try:
            tries.append(post(delivery))
        except Exception:
            # A bug, not a receiver's failure: leave the claim to lapse (the sweep tries
            # again after claim_timeout) and go on with the batch.
            logger.exception("Webhook delivery %s could not be sent", delivery.pk)
    _record(tries)
    return len(ids)


# --- one try ---------------------------------------------------------------------------


def stopped_reason(endpoint: Endpoint | None) -> str:
    """Why a delivery to this endpoint may not be sent ("" when it may)."""
    if endpoint is None:
        return "Not sent: its endpoint was deleted."
    if not endpoint.enabled:
        return "Not sent: its endpoint is disabled."
    if endpoint.gone_at:
        return "Not sent: the receiver answered 410 Gone earlier, so the endpoint is stopped."
    return ""


def request_headers(delivery: Delivery, body: bytes, now: datetime.datetime) -> dict[str, str]:
    """The headers of one try: content type, the builder's headers, Basic Auth (made
    from the endpoint now: never stored on the delivery), the Standard Webhooks ones."""
    headers: dict[str, str] = {}

    def put(name: str, value: str) -> None:
        for existing in [key for key in headers if key.lower() == name.lower()]:
            del headers[existing]
        headers[name] = value

    put("User-Agent", USER_AGENT)
    put("Content-Type", delivery.content_type)
    for name, value in delivery.headers or []:
        if name and name.lower() not in OWN_HEADERS:
            put(str(name), str(value))
    endpoint = delivery.endpoint
    if endpoint.basic_auth:
        put("Authorization", "Basic " + base64.b64encode(endpoint.basic_auth.encode()).decode())
    for name, value in signing.headers(endpoint, delivery.webhook_id, body, now).items():
        put(name, value)
    return headers


def masked(headers: dict[str, str]) -> dict[str, str]:
    """Headers as logged: credentials replaced by their scheme and dots."""
    return {
        name: (value.split(" ", 1)[0] + " ••••••" if name.lower() in SECRET_HEADERS else value)
        for name, value in headers.items()
    }


@dataclass
class Try:
    delivery: Delivery
    answer: client.Answer
    headers: dict[str, str]
    started_at: datetime.datetime


def post(delivery: Delivery) -> Try:
    """One try of a claimed delivery, not yet recorded (`_record` writes a batch's tries
    in one transaction)."""
    started_at = timezone.now()
    body = delivery.body.encode()
    headers = request_headers(delivery, body, started_at)
    try:
        # Checked again at send: the address checked is the one connected to.
        address = targets.checked_address(delivery.url)
    except targets.Refused as refused:
        answer = client.Answer(None, "", 0, f"Refused: {refused}")
    else:
        answer = client.post(delivery.url, body, headers, address=address)
    return Try(delivery, answer, headers, started_at)


def _last_error(answer: client.Answer) -> str:
    if answer.ok:
        return ""
    if answer.status is None:
        return answer.error
    return f"HTTP {answer.status}" + (f": {answer.error}" if answer.error else "")


# What a try changes on its delivery (`_save_tries`).
RECORDED = (
    "attempts",
    "run_attempts",
    "state",
    "next_attempt_at",
    "claimed_until",
    "last_status",
    "last_error",
    "delivered_at",
    "dead_at",
)


@transaction.atomic
def _record(tries: list[Try]) -> list[Attempt]:
    """Log a batch's tries, schedule what follows each and count them, in one transaction:
    a try's three writes and a commit each cost ~5 times the local POST. A worker that dies
    between posting and this commit leaves its claims to lapse, and the sweep sends those
    tries again with the same webhook-id (the receiver's idempotency key); so does a
    database crash before the commit reached disk (`commit_unflushed`: no fsync wait)."""
    now = timezone.now()
    attempts, counts, gone, dead = [], Counter(), set(), []
    for done in tries:
        delivery, answer = done.delivery, done.answer
        run_tries = delivery.run_attempts + 1
        outcome = schedule.after_try(
            run_tries=run_tries,
            status=answer.status,
            now=now,
            retry_after_header=answer.retry_after,
        )
        attempts.append(
            Attempt(
                delivery=delivery,
                number=delivery.attempts + 1,
                url=delivery.url,
                started_at=done.started_at,
                duration_ms=answer.duration_ms,
                status_code=answer.status,
                error=answer.error,
                response_excerpt=answer.excerpt,
                request_headers=masked(done.headers),
            )
        )
        last_error = _last_error(answer)
        if outcome.why_dead:
            last_error = f"{last_error} {outcome.why_dead}".strip()
        # The claim is ours: no other run changes these rows meanwhile.
        delivery.attempts += 1
        delivery.run_attempts = run_tries
        delivery.state = outcome.state
        delivery.next_attempt_at = outcome.next_attempt_at
        delivery.claimed_until = None
        delivery.last_status = answer.status
        delivery.last_error = last_error
        if outcome.state == DeliveryState.DELIVERED:
            delivery.delivered_at = now
        if outcome.state == DeliveryState.DEAD:
            delivery.dead_at = now
            dead.append((delivery, last_error, run_tries))
        day = counting.business_day(done.started_at)
        counts[(delivery.slot, delivery.url, day, "delivered" if answer.ok else "failed")] += 1
        if outcome.gone and delivery.endpoint_id:
            gone.add(delivery.endpoint_id)
    if not tries:
        return []
    commit_unflushed()
    Attempt.objects.bulk_create(attempts)
    _save_tries([done.delivery for done in tries])
    for (slot, url, day, kind), amount in counts.items():
        counting.bump(slot=slot, url=url, day=day, **{kind: amount})
    if gone:
        Endpoint.objects.filter(pk__in=gone, gone_at__isnull=True).update(gone_at=now)
    for delivery, reason, run_tries in dead:
        _audit_dead(delivery, reason, run_tries)
    return attempts


def _save_tries(deliveries: list[Delivery]) -> None:
    """The RECORDED fields of each delivery, one prepared UPDATE run for the batch: Django's
    bulk_update built a CASE per field and row, ~50 ms of Python for 20 tries."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    fields = [Delivery._meta.get_field(name) for name in RECORDED]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Delivery._meta.db_table)} SET {assignments} WHERE id = %s"
    rows = [
        [
            adapt(value) if isinstance(value, datetime.datetime) else value
            for value in (getattr(delivery, field.attname) for field in fields)
        ]
        + [delivery.pk]
        for delivery in deliveries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def _stop(delivery: Delivery, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.DEAD,
        next_attempt_at=None,
        claimed_until=None,
        last_error=reason,
        dead_at=timezone.now(),
    )
    _audit_dead(delivery, reason, delivery.run_attempts)


def _audit_dead(delivery: Delivery, reason: str, run_tries: int) -> None:
    audit(
        "webhook.dead",
        f"Webhook {delivery.event_name} to {delivery.url} is dead after {run_tries} "
        f"tries: {reason}",
        metadata={
            "delivery": delivery.pk,
            "event_id": delivery.event_id,
            "endpoint": delivery.endpoint_id,
            "webhook_id": delivery.webhook_id,
        },
    )


# --- the log's end ---------------------------------------------------------------------


def purge_old() -> int:
    """Nightly: tries older than 30 days, and deliveries finished (delivered or dead)
    more than 30 days ago with theirs. DailyCount rows stay: All Time still adds up.
    Returns rows deleted; in batches, so a long backlog holds no lock for long."""
    cutoff = timezone.now() - KEEP_FOR
    deleted = 0
    old_tries = Attempt.objects.filter(started_at__lt=cutoff)
    while ids := list(old_tries.values_list("pk", flat=True)[:PURGE_BATCH]):
        deleted += Attempt.objects.filter(pk__in=ids).delete()[0]
    finished = Delivery.objects.filter(
        Q(state=DeliveryState.DELIVERED, delivered_at__lt=cutoff)
        | Q(state=DeliveryState.DEAD, dead_at__lt=cutoff)
    )
    while ids := list(finished.values_list("pk", flat=True)[:PURGE_BATCH]):
        deleted += Delivery.objects.filter(pk__in=ids).delete()[0]
    return deleted
