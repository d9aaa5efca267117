"""The 🤖 AI Assistant panel: the left slide-in's conversations and chat, and the chat
endpoint that streams a turn as server-sent events.

Thin views: a turn is started and run by crm.assistant.services (which check the
capability, the message, the key and the budget); conversations are read through
`services.user_conversations`, so a user only ever opens their own.
"""

import json
import logging
import uuid

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from crm import permissions
from crm.assistant import client, services
from crm.assistant.forms import NO_SUCH_CONVERSATION, ChatForm
from crm.assistant.models import AIToolCall, Turn
from crm.assistant.rendering import present_turns
from crm.http import json_error

logger = logging.getLogger(__name__)

BUSY_MESSAGE = "A reply is still being written in another tab."
# A stream renews its lock with every event; a lock left by a process that died while
# streaming frees itself after this long.
LOCK_SECONDS = 120
CONVERSATIONS_SHOWN = 50  # the newest: the list is for picking up a recent conversation


@permissions.require("assistant.use")
@require_GET
def panel(request):
    """The panel with a new, empty conversation (a page of its own without htmx)."""
    return _panel(request, conversation=None)


@permissions.require("assistant.use")
@require_GET
def conversation(request, pk: int):
    """One of the user's own conversations in the chat pane (404 for anyone else's)."""
    opened = get_object_or_404(services.user_conversations(request.user), pk=pk)
    if not request.htmx:
        return _panel(request, conversation=opened)
    return render(request, "assistant/_partials/chat.html", _chat_context(opened))


@permissions.require("assistant.use")
@require_GET
def conversations(request):
    """The list alone: reloaded when a turn ends (a new conversation shows at the top)."""
    context = {
        "conversations": services.user_conversations(request.user)[:CONVERSATIONS_SHOWN],
        "open_conversation": {"pk": _int_or_none(request.GET.get("conversation", ""))},
    }
    return render(request, "assistant/_partials/conversations.html", context)


def _panel(request, *, conversation):
    context = {
        "conversations": services.user_conversations(request.user)[:CONVERSATIONS_SHOWN],
        **_chat_context(conversation),
    }
    template = "assistant/_partials/panel.html" if request.htmx else "assistant/panel.html"
    return render(request, template, context)


def _chat_context(conversation) -> dict:
    turns = []
    if conversation is not None:
        turns = present_turns(
            _turns_with_tool_calls(Turn.objects.filter(conversation=conversation))
        )
    return {
        "open_conversation": conversation,
        "turns": turns,
        "is_enabled": client.is_enabled(),
        "disabled_message": client.DISABLED_MESSAGE,
        "max_message": services.MAX_MESSAGE_CHARS,
    }


def _turns_with_tool_calls(turns):
    return turns.order_by("created_at", "id").prefetch_related(
        Prefetch("tool_calls", queryset=AIToolCall.objects.order_by("call__seq", "seq", "id"))
    )


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@permissions.require("assistant.use")
@require_POST
def chat(request):
    """`POST /assistant/chat` (message, conversation): the turn's events as a stream.

    Refused as JSON `{"status": "error", "error": ...}` before anything streams: 400 for an
    empty or over-long message, 404 for someone else's conversation, 429 over the daily
    budget or while another tab's answer is still being written (one stream per user),
    503 while the assistant is off. The stream's events are `services.stream_turn`'s, after
    a first "turn" event (the ids) and with the finished turn's HTML on "done".
    """
    form = ChatForm(request.POST)
    if not form.is_valid():
        return json_error(form.first_error(), 400)
    lock = StreamLock(request.user.pk)
    if not lock.acquire():
        return json_error(BUSY_MESSAGE, 429)
    try:
        turn = services.start_turn(
            request.user,
            message=form.cleaned_data["message"],
            conversation_id=form.cleaned_data["conversation"],
        )
    except services.BadMessage as refusal:
        return lock.released(json_error(str(refusal), 400))
    except services.BudgetExceeded as refusal:
        return lock.released(json_error(str(refusal), 429))
    except services.AssistantDisabled as refusal:
        return lock.released(json_error(str(refusal), 503))
    except Http404:
        return lock.released(json_error(NO_SUCH_CONVERSATION, 404))
    except BaseException:
        lock.release()
        raise
    response = StreamingHttpResponse(_stream(turn, lock), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy must pass each event on as it comes
    return response


def _stream(turn: Turn, lock: "StreamLock"):
    """The turn's events as SSE frames; the lock is freed however the stream ends (the
    answer done, an error, or the browser gone: the server closes the generator)."""
    events = services.stream_turn(turn)
    try:
        yield _frame({"type": "turn", "turn_id": turn.pk, "conversation_id": turn.conversation_id})
        for event in events:
            lock.renew()
            if event["type"] == "done":
                event = {**event, "html": _turn_html(turn.pk)}
            yield _frame(event)
    except Exception:
        # Headers are gone (200): the failure can only be said in the stream.
        logger.exception("AI Assistant turn %s failed while streaming", turn.pk)
        yield _frame({"type": "error", "error": "The assistant failed. Try again.", "status": 500})
    finally:
        close = getattr(events, "close", None)
        if close:
            close()
        lock.release()


def _frame(event: dict) -> str:
    data = json.dumps(event, cls=DjangoJSONEncoder, ensure_ascii=False)
    return f"event: {event['type']}\ndata: {data}\n\n"


def _turn_html(turn_pk: int) -> str:
    """The finished turn as the panel and the replay draw it (sanitized Markdown)."""
    turn = present_turns(_turns_with_tool_calls(Turn.objects.filter(pk=turn_pk)))[0]
    return render_to_string("assistant/_partials/turn.html", {"turn": turn})


class StreamLock:
    """One open stream per user, across tabs and processes (the shared cache)."""

    def __init__(self, user_pk: int):
        self.key = f"assistant:stream:{user_pk}"
        self.token = uuid.uuid4().hex

    def acquire(self) -> bool:
        return cache.add(self.key, self.token, timeout=LOCK_SECONDS)

    def renew(self) -> None:
        cache.touch(self.key, LOCK_SECONDS)

    def release(self) -> None:
        # Only our own: a lock that expired may since belong to another stream.
        if cache.get(self.key) == self.token:
            cache.delete(self.key)

    def released(self, response):
        self.release()
        return response
