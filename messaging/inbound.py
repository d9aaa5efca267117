"""Inbound texts in two steps, as inbound leads are: the webhook `accept`s (one row, the
provider's id stored once) and answers; a worker `process`es the row into a Message through
`services.receive_inbound` (opt-out words first, thread, lead, events). The beat sweep
processes rows whose task the broker lost."""

import datetime
import functools
import json
import logging

from django.db import transaction
from django.utils import timezone

from crm.errors import DomainError
from crm.phones import normalize_phone
from messaging import services
from messaging.models import InboundSms, Line

logger = logging.getLogger(__name__)
SWEEP_AFTER = datetime.timedelta(minutes=1)  # a queued task normally runs within seconds
SWEEP_BATCH = 200


# One statement, no savepoint: a provider's retry (the same id, unique) inserts nothing
# and returns no id. Both Postgres and SQLite (3.35+) read ON CONFLICT ... RETURNING.
ACCEPT_SQL = (
    "INSERT INTO messaging_inboundsms"
    " (provider, line_phone, from_phone, body, provider_message_id, media, received_at,"
    " state, error) VALUES (%s, %s, %s, %s, %s, {media}, %s, 'pending', '')"
    " ON CONFLICT DO NOTHING RETURNING id"
)


@functools.lru_cache(maxsize=4096)
def _is_phone(raw: str) -> bool:
    """Cached: our numbers, and customers who text back and forth, come again and again."""
    try:
        normalize_phone(raw)
    except ValueError:
        return False
    return True


def accept(
    *,
    provider: str,
    line_phone: str,
    from_phone: str,
    body: str,
    provider_message_id: str,
    media: list[dict] | None = None,
) -> int | None:
    """Store the delivery and queue its processing: the row's id, or None for a delivery
    seen before. Raises DomainError for a number that is no phone (nothing stored)."""
    for label, phone in (("Our number", line_phone), ("The sender", from_phone)):
        if not _is_phone(phone[:40]):
            try:
                normalize_phone(phone)
            except ValueError as exc:
                raise DomainError(f"{label}: {exc}") from exc
    connection = transaction.get_connection()
    cast = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    values = [
        provider,
        line_phone[:20],
        from_phone[:40],
        body,
        provider_message_id[:64],
        json.dumps(media or []),
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(ACCEPT_SQL.format(media=cast), values)
        found = cursor.fetchone()
    if found is None:
        return None  # the provider's retry of a text already stored
    row_id = found[0]
    transaction.on_commit(lambda: _queue(row_id))
    return row_id


def _queue(row_id: int) -> None:
    from messaging.tasks import process_inbound_sms

    try:
        process_inbound_sms.delay(row_id)
    except Exception:  # broker down: the row is stored, the beat sweep processes it
        logger.exception("Could not queue inbound SMS %s; the sweep will process it", row_id)


def process(row_id: int) -> str:
    """Make the Message of a pending row (once: the row is locked and must be pending)."""
    with transaction.atomic():
        row = (
            InboundSms.objects.select_for_update(skip_locked=True)
            .filter(pk=row_id, state=InboundSms.State.PENDING)
            .first()
        )
        if row is None:
            return "skipped"
        try:
            with transaction.atomic():
                # A number CTM has but the nightly sync hasn't brought yet is added now, so
                # the text is not lost (its office is set in CP → CTM Numbers).
                line, _ = Line.objects.get_or_create(phone=normalize_phone(row.line_phone))
                row.message = services.receive_inbound(
                    line, row.from_phone, row.body, row.provider_message_id, _files(row)
                )
            row.state = InboundSms.State.DONE
        except (DomainError, ValueError) as exc:
            row.state, row.error = InboundSms.State.FAILED, getattr(exc, "message", str(exc))
        row.save(update_fields=["state", "error", "message"])
    return row.state


def _files(row: InboundSms) -> list:
    """The row's MMS files, fetched from its provider (a file that can't be had is left
    out: the text itself still arrives)."""
    if row.provider != "twilio" or not row.media:
        return []
    from messaging.providers import twilio

    return [file for link in row.media if (file := twilio.fetch_media(link))]


def sweep() -> int:
    """Process pending rows older than a minute (their task was lost); returns how many."""
    due = timezone.now() - SWEEP_AFTER
    ids = list(
        InboundSms.objects.filter(state=InboundSms.State.PENDING, received_at__lt=due)
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for row_id in ids:
        process(row_id)
    return len(ids)
