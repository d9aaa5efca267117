"""Celery: sending one stored text, and the nightly CTM numbers sync."""

import logging

from celery import shared_task
from django.db import transaction

from crm import events
from messaging import inbound, numbers
from messaging.models import Message
from messaging.providers import OutboundFile, SendFailed, active

logger = logging.getLogger(__name__)


@shared_task
def send_message(message_id: int) -> str:
    """Hand a "sending" message to the provider: → sent, or failed with its words.

    Idempotent: the row is locked for the call and only a "sending" row is sent, so a
    second run (a redelivered task) finds it sent or failed and does nothing. Returns the
    status it left.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("thread__line", "thread__office")
            .filter(pk=message_id, status=Message.Status.SENDING)
            .first()
        )
        if message is None:
            return "skipped"
        thread = message.thread
        files = [
            OutboundFile(a.name, a.content_type, bytes(a.content))
            for a in message.attachments.all()
        ]
        try:
            message.provider_message_id = active().send(
                from_phone=thread.line.phone,
                to=thread.customer_phone,
                body=message.body,
                files=files,
            )
            message.status = Message.Status.SENT
        except SendFailed as exc:
            message.status, message.error = Message.Status.FAILED, str(exc)
        message.save(update_fields=["status", "error", "provider_message_id"])
        common = {
            "office": thread.office,
            "actor": message.sent_by,
            "thread": thread,
            "message": message,
            "lead": thread.lead_id,
            "purpose": message.purpose,
        }
        if message.status == Message.Status.SENT:
            events.emit("sms.sent", **common)
        else:
            events.emit("sms.failed", error=message.error, **common)
    return message.status


@shared_task
def sync_numbers() -> int:
    """Beat, nightly at 2 AM business time: CP → CTM Numbers from CTM (0 without keys)."""
    return numbers.sync(actor=None)


@shared_task
def process_inbound_sms(row_id: int) -> str:
    """Make the Message of one stored inbound text (messaging.inbound.process)."""
    return inbound.process(row_id)


@shared_task
def sweep_inbound_sms() -> int:
    """Beat, every minute: inbound texts whose task the broker lost."""
    return inbound.sweep()
