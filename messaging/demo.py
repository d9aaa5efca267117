"""Demo SMS for `make run`: a line per office (one toll-free, one no-reply), 40 threads of
realistic texts (most linked to demo leads), a number that texted STOP, a possible opt-out
waiting on the review list, and a few templates. Deterministic (seeded); rows are written
with past times, as the webhooks and the send task would have left them."""

import datetime
import random

from django.utils import timezone

from crm.accounts.models import Office
from crm.phones import last10
from leads.models import Lead
from messaging import optouts
from messaging.models import (
    Line,
    Message,
    OfficeSmsSender,
    PossibleOptOut,
    SmsTemplate,
    Suppression,
    Thread,
)

THREADS = 40
# office, phone, label, tracking source, no-reply
LINES = [
    ("Sliding", "+13055550100", "Sliding main", "bb_sliding", False),
    ("Garage", "+17865550111", "Garage Google Ads", "bb_garage", False),
    ("General", "+18885550123", "General toll-free", "", False),
    ("Joes Doors FL", "+19545550140", "Joes call forwarding", "", True),
]
CONVERSATIONS = [
    [
        ("in", "Hi, is Tuesday morning still good for the sliding door repair?"),
        ("out", "Yes! Our tech will be there between 9 and 11 AM."),
        ("in", "Perfect, thank you"),
    ],
    [
        ("in", "How much to replace the rollers on a patio door?"),
        ("out", "Usually $189–$249 with parts. Want us to book a visit?"),
        ("in", "Yes please, any day after 3pm works"),
    ],
    [("in", "The garage door opener is making a grinding noise again")],
    [
        ("out", "Hi, it's BookBack Doors following up on your quote. Any questions?"),
        ("in", "Can you do $350 instead of $420?"),
    ],
    [
        ("in", "Running 10 min late, sorry!"),
        ("out", "No problem, see you soon."),
    ],
    [("in", "Do you service Hialeah?"), ("out", "We do! What's the address?")],
    [
        ("in", "📷 Here's the picture of the broken track"),
        ("out", "Thanks, that's the bottom roller."),
    ],
    [("in", "Can I get a copy of the invoice?")],
]
TEMPLATES = [
    ("On my way", "Hi! Your technician is on the way and should arrive in about 30 minutes."),
    ("Running late", "Sorry, we're running about 15 minutes behind. Thank you for your patience!"),
    ("Quote follow-up", "Hi, just checking in on the quote we sent. Any questions we can answer?"),
    ("Review request", "Thanks for choosing us! Would you leave a quick review? It helps a lot."),
]


def seed_messaging() -> None:
    rng = random.Random(18)
    now = timezone.now()
    lines = _lines()
    leads = list(Lead.objects.filter(is_archived=False).order_by("pk"))
    taken: set[tuple[int, str]] = set()
    for index in range(THREADS - 2):  # and the two opt-out threads below
        line = lines[index % len(lines)]
        # Three in four threads belong to a lead of the line's office (one thread a phone).
        lead = None
        if index % 4:
            lead = next(
                (
                    lead
                    for lead in leads
                    if lead.office_id == line.office_id and (line.pk, lead.phone) not in taken
                ),
                None,
            )
        phone = lead.phone if lead else f"+1786555{2000 + index:04d}"
        taken.add((line.pk, phone))
        started = now - datetime.timedelta(minutes=rng.randint(10, 60 * 24 * 6))
        _thread(line, phone, lead, CONVERSATIONS[index % len(CONVERSATIONS)], started, rng)
    _stopped(lines[0], now)
    _possible_opt_out(lines[1], now)
    for name, body in TEMPLATES:
        SmsTemplate.objects.get_or_create(name=name, defaults={"body": body})


def _lines() -> list[Line]:
    lines = []
    for office_name, phone, label, source, no_reply in LINES:
        office = Office.objects.get(name=office_name)
        line, _ = Line.objects.update_or_create(
            phone=phone,
            defaults={
                "office": office,
                "label": label,
                "tracking_source": source,
                "no_reply": no_reply,
            },
        )
        if not line.is_toll_free and not no_reply:
            OfficeSmsSender.objects.get_or_create(office=office, defaults={"line": line})
        lines.append(line)
    return lines


def _thread(line, phone, lead, texts, started, rng) -> Thread:
    thread, _ = Thread.objects.get_or_create(
        line=line,
        customer_phone=phone,
        defaults={"customer_last10": last10(phone), "office": line.office, "lead": lead},
    )
    at, unresolved = started, 0
    for direction, body in texts:
        at += datetime.timedelta(minutes=rng.randint(1, 90))
        inbound = direction == "in"
        Message.objects.create(
            thread=thread,
            direction=direction,
            body=body,
            status=Message.Status.RECEIVED if inbound else Message.Status.SENT,
            purpose="" if inbound else Message.Purpose.MANUAL,
            created_at=at,
        )
        unresolved = unresolved + 1 if inbound else 0
    last = texts[-1]
    Thread.objects.filter(pk=thread.pk).update(
        last_message_at=at,
        last_snippet=last[1][:160],
        last_direction=last[0],
        unresolved_count=unresolved,
        resolved_at=None if unresolved else at,
    )
    return thread


def _stopped(line: Line, now) -> None:
    """A customer who texted STOP: suppressed, confirmed once."""
    phone = "+17865559001"
    thread = _thread(
        line, phone, None, [("in", "STOP")], now - datetime.timedelta(days=2), random.Random(1)
    )
    stop = thread.messages.get()
    Suppression.objects.get_or_create(
        last10=last10(phone),
        defaults={"word": "STOP", "message": stop, "created_at": stop.created_at},
    )
    Message.objects.create(
        thread=thread,
        direction="out",
        body=optouts.confirmation_text(line.office),
        status=Message.Status.SENT,
        purpose=Message.Purpose.CONFIRMATION,
        created_at=stop.created_at + datetime.timedelta(seconds=2),
    )


def _possible_opt_out(line: Line, now) -> None:
    phone = "+17865559002"
    text = "I need to cancel Tuesday's appointment, and honestly please don't text me anymore"
    thread = _thread(
        line, phone, None, [("in", text)], now - datetime.timedelta(days=6), random.Random(2)
    )
    message = thread.messages.get()
    PossibleOptOut.objects.get_or_create(
        message=message, defaults={"last10": last10(phone), "created_at": message.created_at}
    )
