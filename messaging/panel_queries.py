"""The 📱 SMS panel's reads: the thread list, one thread's messages, the topbar count.

Every read starts from `Thread.objects.visible_to(user)`. Rows are read as values (one
query a list, whatever its length); the panel writes nothing itself (messaging.services).
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Upper
from django.shortcuts import get_object_or_404
from django.utils.safestring import SafeString

from crm import livesync
from crm.phones import pretty
from messaging.models import Attachment, Message, PossibleOptOut, Suppression, Thread
from messaging.panel_html import messages_html

PAGE_SIZE = 50
MESSAGES_SHOWN = 100
BADGE_TIMEOUT = 600  # seconds; a new stamp makes a new key long before that

ROW_FIELDS = (
    "id",
    "customer_phone",
    "last_snippet",
    "last_direction",
    "last_message_at",
    "unresolved_count",
    "marked_unread",
    "lead_id",
    "lead__first_name",
    "lead__last_name",
    "line__phone",
    "line__label",
    "office__name",
)
PHONE_LIKE = re.compile(r"^[\d\s()+.-]+$")  # "(786) 555-4321": searched as digits
NEEDS_ATTENTION = Q(unresolved_count__gt=0) | Q(marked_unread=True)


@dataclass(frozen=True)
class ThreadFilters:
    text: str = ""
    office_ids: tuple[int, ...] = ()
    unread_only: bool = False

    @property
    def is_active(self) -> bool:
        return bool(self.text or self.office_ids or self.unread_only)


def badge_count(user) -> int:
    """Conversations in `user`'s scope with unresolved inbound (or marked unread).

    Every open page asks on every live-sync tick, so the answer is kept per user under
    the user's current stamp: a change in scope moves the stamp and so the key, and
    between changes the count costs one cache read (two with the stamp).
    """
    stamp = livesync.last_change(livesync.scope_keys(user))
    key = f"sms:badge:{user.pk}:{stamp}"
    count = cache.get(key)
    if count is None:
        count = Thread.objects.visible_to(user).filter(NEEDS_ATTENTION).count()
        cache.set(key, count, BADGE_TIMEOUT)
    return count


def _matching(threads, text: str):
    """Threads whose lead's name, customer's digits or any message body hold `text`; on
    Postgres a lead's name also matches a word within trigram similarity ("Marsiol" finds
    Marisol), as the Leads search does."""
    digits = "".join(ch for ch in text if ch.isdigit())
    match = Q(lead__first_name__icontains=text) | Q(lead__last_name__icontains=text)
    words = text.split()
    if len(words) > 1:  # "Ann Lee": first name and last name
        match |= Q(lead__first_name__icontains=words[0]) & Q(
            lead__last_name__icontains=" ".join(words[1:])
        )
    if connection.vendor == "postgresql":
        threads = threads.alias(
            lead_first_upper=Upper("lead__first_name"), lead_last_upper=Upper("lead__last_name")
        )
        for word in words[:3]:
            if len(word) >= 3 and not word.isdigit():
                match |= Q(lead_first_upper__trigram_similar=word.upper())
                match |= Q(lead_last_upper__trigram_similar=word.upper())
    if len(digits) >= 3 and PHONE_LIKE.match(text):
        match |= Q(customer_last10__contains=digits[-10:])
    bodies = Message.objects.filter(body__icontains=text).values("thread_id")
    return threads.filter(match | Q(pk__in=bodies))


def thread_rows(user, filters: ThreadFilters, *, after: str = "") -> tuple[list[dict], str]:
    """A page of the list, newest first, and the cursor of the next page ("" at the end)."""
    threads = Thread.objects.visible_to(user)
    if filters.office_ids:
        threads = threads.filter(office_id__in=filters.office_ids)
    if filters.unread_only:
        threads = threads.filter(NEEDS_ATTENTION)
    if filters.text:
        threads = _matching(threads, filters.text)
    position = _decode(after)
    if position:
        moment, pk = position
        # The plain bound is what the (office, -last_message_at) index can seek to.
        threads = threads.filter(last_message_at__lte=moment).filter(
            Q(last_message_at__lt=moment) | Q(last_message_at=moment, pk__lt=pk)
        )
    rows = list(threads.order_by("-last_message_at", "-pk").values(*ROW_FIELDS)[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for row in rows:
        name = f"{row['lead__first_name'] or ''} {row['lead__last_name'] or ''}".strip()
        row["lead_name"] = name if row["lead_id"] else ""
        row["phone"] = pretty(row["customer_phone"])
        row["line"] = pretty(row["line__phone"])
        row["needs_attention"] = bool(row["unresolved_count"] or row["marked_unread"])
    return rows, _cursor(rows[-1]["last_message_at"], rows[-1]["id"]) if more else ""


def _cursor(moment: datetime.datetime, pk: int) -> str:
    return f"{moment.isoformat()}_{pk}"


def _decode(cursor: str) -> tuple[datetime.datetime, int] | None:
    try:
        moment, pk = cursor.rsplit("_", 1)
        moment, pk = datetime.datetime.fromisoformat(moment), int(pk)
    except ValueError:
        return None
    if moment.tzinfo is None:  # ours carry +00:00; a hand-made one is read as UTC
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment, pk


def visible_thread(user, pk: int) -> Thread:
    """The thread with its line, office and lead, or 404 when out of the user's scope.

    Annotated with the number's opt-out state for the banners, in the same query:
    `opted_out_word` and `opted_out_at` (None unless suppressed), `awaits_opt_out_review`.
    """
    suppressed = Suppression.objects.filter(last10=OuterRef("customer_last10"))
    pending = PossibleOptOut.objects.filter(
        last10=OuterRef("customer_last10"), decision=PossibleOptOut.Decision.PENDING
    )
    threads = (
        Thread.objects.visible_to(user)
        .select_related("line", "office", "lead")
        .annotate(
            opted_out_word=Subquery(suppressed.values("word")[:1]),
            opted_out_at=Subquery(suppressed.values("created_at")[:1]),
            awaits_opt_out_review=Exists(pending),
        )
    )
    return get_object_or_404(threads, pk=pk)


MESSAGE_FIELDS = (
    "id",
    "direction",
    "body",
    "status",
    "error",
    "purpose",
    "created_at",
    "sent_by__first_name",
)

FILE_FIELDS = ("id", "message_id", "name", "content_type", "size")  # never the bytes


@dataclass
class Conversation:
    thread: Thread
    messages_html: SafeString
    shown: int
    earlier: str  # the cursor of the messages before these ("" when these are the first)


def conversation(thread: Thread, *, before: str = "") -> Conversation:
    """MESSAGES_SHOWN messages of `thread` (from `visible_thread`), the newest or those
    before the cursor `before`, oldest first, with their attachments' names and types
    (never their bytes)."""
    messages = thread.messages.all()
    position = _decode(before) if before else None
    if position:
        moment, pk = position
        messages = messages.filter(created_at__lte=moment).filter(
            Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk)
        )
    newest = list(
        messages.order_by("-created_at", "-pk").values(*MESSAGE_FIELDS)[: MESSAGES_SHOWN + 1]
    )
    shown = newest[:MESSAGES_SHOWN][::-1]
    files = defaultdict(list)
    attachments = Attachment.objects.filter(message_id__in=[row["id"] for row in shown])
    for file in attachments.order_by("pk").values(*FILE_FIELDS):
        files[file["message_id"]].append(file)
    earlier = len(newest) > MESSAGES_SHOWN
    return Conversation(
        thread=thread,
        messages_html=messages_html(shown, files),
        shown=len(shown),
        earlier=_cursor(shown[0]["created_at"], shown[0]["id"]) if earlier else "",
    )


def visible_attachment(user, pk: int) -> Attachment:
    threads = Thread.objects.visible_to(user).values("pk")
    return get_object_or_404(Attachment.objects.filter(message__thread__in=threads), pk=pk)
