"""Rows for the 📱 SMS panel's tests: lines, threads and messages as the services leave them."""

import datetime
import itertools

from django.utils import timezone

from crm.phones import last10
from messaging.models import Line, Message, Thread

_numbers = itertools.count(100)


def line(office, *, phone: str = "", label: str = "Main", no_reply: bool = False) -> Line:
    phone = phone or f"+1305200{next(_numbers):04d}"
    return Line.objects.create(phone=phone, label=label, office=office, no_reply=no_reply)


def thread(
    on_line: Line,
    *,
    customer: str = "",
    lead=None,
    texts: int = 1,
    unresolved: int = 0,
    snippet: str = "Is Tuesday still good?",
    minutes_ago: int = 5,
) -> Thread:
    """A conversation of `texts` inbound messages, the newest `minutes_ago` minutes old."""
    customer = customer or f"+1786300{next(_numbers):04d}"
    newest = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    conversation = Thread.objects.create(
        line=on_line,
        customer_phone=customer,
        customer_last10=last10(customer),
        office=on_line.office,
        lead=lead,
        last_message_at=newest,
        last_snippet=snippet,
        last_direction="in",
        unresolved_count=unresolved,
    )
    Message.objects.bulk_create(
        Message(
            thread=conversation,
            direction="in",
            body=snippet if number == texts - 1 else f"Earlier text {number}",
            status=Message.Status.RECEIVED,
            created_at=newest - datetime.timedelta(minutes=texts - 1 - number),
        )
        for number in range(texts)
    )
    return conversation
