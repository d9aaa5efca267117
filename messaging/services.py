"""SMS actions: the one send chokepoint, manual replies, inbound texts, resolve / unread.

Every text we send goes through `send_sms`: it refuses automation and AI texts to a number
that opted out (or may have: a pending possible opt-out) and any text from a toll-free or
no-reply line, stores the message "sending" and queues the provider call after commit
(`messaging.tasks.send_message`).
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from crm import events, livesync
from crm.errors import DomainError
from crm.permissions import check
from crm.phones import last10, normalize_phone, pretty
from crm.timeline.models import AuditEvent
from crm.timeline.services import audit
from leads.models import Lead
from messaging import keywords, optouts
from messaging.models import (
    Attachment,
    Direction,
    Line,
    Message,
    PossibleOptOut,
    Suppression,
    Thread,
)
from messaging.providers import active as active_provider

GUARDED_PURPOSES = (Message.Purpose.AUTOMATION, Message.Purpose.AI)
TOLL_FREE_REFUSAL = (
    "📵 Toll-free number — SMS not available. Use a different number to text this client "
    "back, or call them."
)
NO_REPLY_REFUSAL = "This forwarding number doesn't accept replies"


def line_refusal(line: Line) -> str:
    """Why nothing can be sent from `line` ("" when it can send)."""
    if line.is_toll_free:
        return TOLL_FREE_REFUSAL
    if line.no_reply:
        return NO_REPLY_REFUSAL
    return ""


def is_opted_out(phone: str) -> bool:
    """Suppressed, or a possible opt-out still waiting for a person's decision."""
    digits = last10(phone)
    return (
        Suppression.objects.filter(last10=digits).exists()
        or PossibleOptOut.objects.filter(last10=digits, decision="").exists()
    )


def send_sms(line: Line, to: str, body: str, purpose: str, actor, attachments=()) -> Message:
    """THE chokepoint. Raises DomainError for a refused send (nothing stored)."""
    if actor is not None:
        check(actor, "sms.reply")
    try:
        to = normalize_phone(to)
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    if purpose not in Message.Purpose.values:
        raise DomainError(f"Unknown SMS purpose {purpose!r}.")
    if not body.strip() and not attachments:
        raise DomainError("Write a message or attach a file.")
    if refusal := line_refusal(line):
        raise DomainError(refusal)
    if purpose in GUARDED_PURPOSES and is_opted_out(to):
        raise DomainError(f"Recipient {pretty(to)} has opted out of SMS")
    with transaction.atomic():
        thread = _thread_for(line, to)
        message = Message.objects.create(
            thread=thread,
            direction=Direction.OUT,
            body=body,
            status=Message.Status.SENDING,
            purpose=purpose,
            sent_by=actor if getattr(actor, "pk", None) else None,
        )
        _store_files(message, attachments)
        _touch(thread, message)
        transaction.on_commit(lambda: _queue_send(message.pk))
    return message


def _queue_send(message_id: int) -> None:
    from messaging.tasks import send_message

    send_message.delay(message_id)


def reply(user, thread: Thread, body: str, attachments=()) -> Message:
    """The panel's reply: a person's 1:1 text, sent even to an opted-out number."""
    check(user, "sms.reply", thread)
    if refusal := line_refusal(thread.line):
        raise PermissionDenied(refusal)
    with transaction.atomic():
        message = send_sms(
            thread.line, thread.customer_phone, body, Message.Purpose.MANUAL, user, attachments
        )
        audit(
            AuditEvent.Kind.SMS_REPLIED,
            f"SMS reply to {pretty(thread.customer_phone)} from {thread.line}",
            actor=user,
            office=thread.office,
            metadata={"thread": thread.pk, "message": message.pk},
        )
    return message


def mark_resolved(user, thread: Thread) -> Thread:
    """✓ Resolve: the unread badge clears until the next inbound text reopens it."""
    check(user, "sms.reply", thread)
    Thread.objects.filter(pk=thread.pk).update(
        unresolved_count=0, marked_unread=False, resolved_at=timezone.now()
    )
    _bump(thread)
    thread.refresh_from_db()
    return thread


def mark_unread(user, thread: Thread) -> Thread:
    """● Unread: back on the unread list, to come back to later."""
    check(user, "sms.reply", thread)
    Thread.objects.filter(pk=thread.pk).update(marked_unread=True)
    _bump(thread)
    thread.refresh_from_db()
    return thread


def _bump(thread: Thread) -> None:
    transaction.on_commit(lambda: livesync.bump(office_id=thread.office_id))


def receive_inbound(
    line: Line, from_phone: str, body: str, provider_message_id: str, media=()
) -> Message | None:
    """Store a customer's text; None when the provider sent this one before.

    Opt-out words are read first (the reply they call for depends on them), then the
    thread is upserted, linked to the lead and counted unresolved. Raises DomainError for
    a sender that is no phone number. `media`: OutboundFile-like (name, content_type,
    content); files over 4 MB or of other types are left out.
    """
    try:
        from_phone = normalize_phone(from_phone)
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    provider_message_id = (provider_message_id or "")[:64]
    verdict = keywords.classify(body)
    try:
        # A retried delivery fails the unique provider id: it rolls back whole.
        with transaction.atomic():
            thread = _thread_for(line, from_phone)
            lead_id = _newest_lead_id(thread)
            message = Message.objects.create(
                thread=thread,
                direction=Direction.IN,
                body=body,
                status=Message.Status.RECEIVED,
                provider_message_id=provider_message_id,
            )
            _store_files(message, media)
            # One UPDATE: the list row, the count (a new text reopens a resolved thread)
            # and the lead, which may be newer than the one linked before.
            Thread.objects.filter(pk=thread.pk).update(
                last_message_at=message.created_at,
                last_snippet=(body or "📎 Attachment")[:160],
                last_direction=Direction.IN,
                unresolved_count=F("unresolved_count") + 1,
                resolved_at=None,
                lead_id=lead_id,
            )
            thread.lead_id = lead_id
            events.emit(
                "sms.received",
                office=thread.office_id,
                thread=thread,
                message=message,
                lead=lead_id,
                from_phone=from_phone,
            )
            if verdict is not None:
                lead = Lead.objects.filter(pk=lead_id).first() if lead_id else None
                optouts.act_on(verdict, message=message, lead=lead, provider=active_provider())
    except IntegrityError:
        if (
            provider_message_id
            and Message.objects.filter(provider_message_id=provider_message_id).exists()
        ):
            return None
        raise
    return message


def _thread_for(line: Line, phone: str) -> Thread:
    """The (line, phone) thread, made once even when two texts race for it."""
    thread = Thread.objects.filter(line=line, customer_phone=phone).first()
    if thread is not None:
        return thread
    try:
        with transaction.atomic():
            return Thread.objects.create(
                line=line,
                customer_phone=phone,
                customer_last10=last10(phone),
                office_id=line.office_id,
            )
    except IntegrityError:
        return Thread.objects.get(line=line, customer_phone=phone)


def _touch(thread: Thread, message: Message) -> None:
    """An outbound text on the thread's list row."""
    Thread.objects.filter(pk=thread.pk).update(
        last_message_at=message.created_at,
        last_snippet=(message.body or "📎 Attachment")[:160],
        last_direction=message.direction,
    )
    _bump(thread)


def _newest_lead_id(thread: Thread) -> int | None:
    """The newest non-archived lead with the phone's last 10 digits, in the line's office."""
    leads = Lead.objects.filter(phone_last10=thread.customer_last10, is_archived=False)
    if thread.office_id:
        leads = leads.filter(office_id=thread.office_id)
    return leads.order_by("-received_at", "-pk").values_list("pk", flat=True).first()


def _store_files(message: Message, files) -> None:
    rows = []
    for file in files:
        if hasattr(file, "content"):
            content = file.content
        else:  # an upload, maybe read once already by the form's checks
            file.seek(0)
            content = file.read()
        content_type = getattr(file, "content_type", "") or "application/octet-stream"
        if Attachment.is_allowed(content_type, len(content)):
            rows.append(
                Attachment(
                    message=message,
                    name=(getattr(file, "name", "") or "attachment")[:200],
                    content_type=content_type[:100],
                    size=len(content),
                    content=content,
                )
            )
    Attachment.objects.bulk_create(rows)
