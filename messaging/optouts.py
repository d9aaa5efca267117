"""Opt-out and opt-in: acting on an inbound stop / start / help word, and the people's
decisions on the Possible opt-outs list (STOP / opt-out chapter, plus issue 18's rules)."""

import datetime

from django.db import transaction
from django.utils import timezone

from crm import events
from crm.dateranges import business_now
from crm.errors import DomainError
from crm.permissions import check
from crm.phones import pretty
from crm.timeline.models import AuditEvent
from crm.timeline.services import audit, record
from messaging import keywords
from messaging.models import Message, PossibleOptOut, Suppression

OVERDUE_BUSINESS_DAYS = 5  # red on the list; the FCC order allows 10


def confirmation_text(office) -> str:
    name = office.name if office else "our"
    return f"You're unsubscribed from {name} texts. Reply START to resubscribe."


def help_text(office) -> str:
    name = office.name if office else "BookBack"
    return f"{name}. Reply STOP to opt out."


def act_on(verdict: keywords.Verdict, *, message: Message, lead, provider) -> None:
    """What an inbound text's stop / start / help word does (inside its transaction)."""
    thread = message.thread
    if verdict.kind == keywords.OPT_OUT:
        if opt_out(message=message, word=verdict.word, lead=lead, actor=None):
            confirmation = confirmation_text(thread.office)
            _answer(thread, confirmation, Message.Purpose.CONFIRMATION, provider)
    elif verdict.kind == keywords.POSSIBLE:
        if not Suppression.objects.filter(last10=thread.customer_last10).exists():
            PossibleOptOut.objects.create(message=message, last10=thread.customer_last10)
    elif verdict.kind == keywords.OPT_IN:
        opt_in(message=message, word=verdict.word, lead=lead)
    elif verdict.kind == keywords.HELP:
        _answer(thread, help_text(thread.office), Message.Purpose.SYSTEM, provider)


def _answer(thread, body: str, purpose: str, provider) -> None:
    """Our automatic answer on the thread's line. Twilio answers STOP and HELP itself;
    a line that cannot send (toll-free, no-reply) stays silent."""
    from messaging.services import line_refusal, send_sms

    if provider.sends_own_opt_out_reply or line_refusal(thread.line):
        return
    send_sms(thread.line, thread.customer_phone, body, purpose, None)


def opt_out(*, message: Message | None, word: str, lead, actor, phone: str = "") -> bool:
    """Suppress the number; False (and nothing written) when it already was."""
    thread = message.thread if message else None
    digits = thread.customer_last10 if thread else phone[-10:]
    shown = thread.customer_phone if thread else phone
    _, created = Suppression.objects.get_or_create(
        last10=digits, defaults={"word": word[:40], "message": message}
    )
    if not created:
        return False
    office = thread.office if thread else getattr(lead, "office", None)
    if lead is not None:
        record(lead, kind="sys", body=f'🚫 SMS opt-out — recipient replied "{word}"', actor=actor)
    audit(
        AuditEvent.Kind.SMS_OPTED_OUT,
        f'{pretty(shown)} opted out of SMS ("{word}")',
        actor=actor,
        office=office,
        metadata={"message": message.pk if message else None, "word": word},
    )
    events.emit(
        "sms.opted_out",
        office=office,
        actor=actor,
        phone=shown,
        word=word,
        message=message,
        lead=lead,
    )
    return True


def opt_in(*, message: Message, word: str, lead) -> bool:
    """Lift the number's suppression (and its pending reviews); False when it had none."""
    thread = message.thread
    deleted, _ = Suppression.objects.filter(last10=thread.customer_last10).delete()
    PossibleOptOut.objects.filter(last10=thread.customer_last10, decision="").update(
        decision=PossibleOptOut.Decision.NOT_OPT_OUT, decided_at=timezone.now()
    )
    if not deleted:
        return False
    if lead is not None:
        record(lead, kind="sys", body="✅ SMS opt-in")
    audit(
        AuditEvent.Kind.SMS_OPTED_IN,
        f'{pretty(thread.customer_phone)} opted back in to SMS ("{word}")',
        office=thread.office,
        metadata={"message": message.pk, "word": word},
    )
    events.emit(
        "sms.opted_in",
        office=thread.office,
        phone=thread.customer_phone,
        word=word,
        message=message,
        lead=lead,
    )
    return True


def decide(*, actor, possible: PossibleOptOut, opt_out_now: bool) -> PossibleOptOut:
    """ "Opt out" or "Not an opt-out" on the Possible opt-outs list, audited."""
    thread = possible.message.thread
    check(actor, "sms.optouts", thread)
    with transaction.atomic():
        locked = PossibleOptOut.objects.select_for_update().get(pk=possible.pk)
        if locked.decision:
            raise DomainError("Someone already decided this one.")
        locked.decision = (
            PossibleOptOut.Decision.OPT_OUT if opt_out_now else PossibleOptOut.Decision.NOT_OPT_OUT
        )
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["decision", "decided_at", "decided_by"])
        if opt_out_now:
            word = _word_of(possible.message.body)
            opt_out(message=possible.message, word=word, lead=thread.lead, actor=actor)
        else:
            audit(
                AuditEvent.Kind.SMS_NOT_OPT_OUT,
                f"{pretty(thread.customer_phone)}: not an opt-out",
                actor=actor,
                office=thread.office,
                metadata={"message": possible.message_id},
            )
    return locked


def _word_of(body: str) -> str:
    verdict = keywords.classify(body)
    return verdict.word if verdict else body[:40]


def pending_count() -> int:
    """Possible opt-outs nobody has decided (the CP tile's red count)."""
    return PossibleOptOut.objects.filter(decision="").count()


def business_days_since(moment: datetime.datetime, now: datetime.datetime | None = None) -> int:
    """Weekdays from `moment`'s day to today (business time zone): Friday → Monday is 1."""
    now = now or business_now()
    start = timezone.localtime(moment, now.tzinfo).date()
    end = now.date()
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    days = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (start + datetime.timedelta(days=whole_weeks * 7 + offset)).weekday() < 5:
            days += 1
    return days
