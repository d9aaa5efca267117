"""The 📱 SMS panel: the left slide-in's list and thread, its reply, resolve and unread
buttons, the topbar count, attachments, and (DEBUG only) a customer texting in.

Thin views: reads through messaging.panel_queries (scoped by `visible_to`), writes
through messaging.services, which check the capability themselves.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from crm import livesync, permissions
from crm.errors import DomainError
from crm.htmx import refuse
from crm.http import json_error
from crm.phones import pretty
from messaging import panel_queries, services
from messaging.models import SmsTemplate
from messaging.panel_forms import ReplyForm, SimulateInboundForm, ThreadFilterForm
from messaging.panel_html import INLINE_TYPES, rows_html


@permissions.require("sms.view")
@require_GET
def panel(request):
    """The panel: filters, the newest threads and an empty thread pane (a page without htmx)."""
    # The stamp before the rows: a change landing while they are read moves it again.
    stamp = livesync.last_change(livesync.scope_keys(request.user))
    form = ThreadFilterForm(request.GET, user=request.user)
    rows, after = panel_queries.thread_rows(request.user, form.filters())
    context = {
        **_list_context(form, rows, after),
        "stamp": stamp,
        "optouts_url": (
            reverse("messaging:sms_optouts") if permissions.can(request.user, "sms.optouts") else ""
        ),
        "can_simulate": settings.DEBUG and permissions.can(request.user, "sms.reply"),
    }
    template = "messaging/_partials/panel.html" if request.htmx else "messaging/panel.html"
    return render(request, template, context)


@permissions.require("sms.view")
@require_GET
def thread_list(request):
    """The list alone: filters changed, the live-sync tick, or "Load more" (`after`)."""
    form = ThreadFilterForm(request.GET, user=request.user)
    after = request.GET.get("after", "")
    rows, next_after = panel_queries.thread_rows(request.user, form.filters(), after=after)
    template = f"messaging/_partials/{'thread_rows' if after else 'threads'}.html"
    return render(request, template, _list_context(form, rows, next_after))


def _list_context(form, rows, after) -> dict:
    return {
        "filter_form": form,
        "filters": form.filters(),
        "rows": rows,
        "rows_html": rows_html(rows),
        "after": after,
    }


@permissions.require("sms.view")
@require_GET
def thread(request, pk: int):
    """One conversation: its messages and, for those who may reply, the composer."""
    context = _thread_context(request, panel_queries.visible_thread(request.user, pk))
    if context["can_reply"]:
        context["reply_form"] = ReplyForm(initial={"thread": pk})
        context["sms_templates"] = SmsTemplate.objects.values("id", "name", "body")
    return render(request, "messaging/_partials/thread.html", context)


@permissions.require("sms.view")
@require_GET
def thread_body(request, pk: int):
    """The thread's header and messages (the live-sync reload; the composer stays as typed)."""
    return _render_body(request, panel_queries.visible_thread(request.user, pk))


@permissions.require("sms.view")
@require_GET
def earlier_messages(request, pk: int):
    """ "Load earlier messages": the page of messages before the cursor, put above the others."""
    thread = panel_queries.visible_thread(request.user, pk)
    conversation = panel_queries.conversation(thread, before=request.GET.get("before", ""))
    context = {"conversation": conversation, "thread": thread}
    return render(request, "messaging/_partials/earlier_messages.html", context)


def _thread_context(request, thread) -> dict:
    return {
        "conversation": panel_queries.conversation(thread),
        "thread": thread,
        "customer_phone": pretty(thread.customer_phone),
        "can_reply": permissions.can(request.user, "sms.reply"),
    }


def _render_body(request, thread) -> HttpResponse:
    context = _thread_context(request, thread)
    return render(request, "messaging/_partials/thread_body.html", context)


@permissions.require("sms.reply")
@require_POST
def reply(request):
    """`POST /api/sms/reply`: send the composer's text (and files) on the thread's line.

    403 with nothing sent for toll-free and no-reply lines and for roles that only read;
    404 for a thread out of scope; 400 for an empty text or a refused file. htmx gets the
    thread back (the new message shows as "sending"); other callers get JSON.
    """
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refuse(request, _first_error(form), status=400)
    thread = panel_queries.visible_thread(request.user, form.cleaned_data["thread"])
    try:
        message = services.reply(
            user=request.user,
            thread=thread,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
        )
    except PermissionDenied as exc:
        return _refuse(request, str(exc) or "You can't reply on this thread.", status=403)
    except DomainError as exc:
        return _refuse(request, exc.message, status=400)
    if request.htmx:
        return _render_body(request, thread)
    return JsonResponse({"status": "ok", "message": message.pk, "state": message.status})


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Check the reply."


def _refuse(request, message: str, *, status: int) -> HttpResponse:
    if request.htmx:
        return refuse(request, message, status=status)
    return json_error(message, status)


@permissions.require("sms.reply")
@require_POST
def resolve(request, pk: int):
    """✓ Resolve: the unread badge clears until the next inbound text."""
    thread = panel_queries.visible_thread(request.user, pk)
    services.mark_resolved(user=request.user, thread=thread)
    return _render_body(request, panel_queries.visible_thread(request.user, pk))


@permissions.require("sms.reply")
@require_POST
def mark_unread(request, pk: int):
    """● Unread: back on the unread list, to come back to later."""
    thread = panel_queries.visible_thread(request.user, pk)
    services.mark_unread(user=request.user, thread=thread)
    return _render_body(request, panel_queries.visible_thread(request.user, pk))


@permissions.require("sms.view")
@require_GET
def badge(request):
    """The 📱 button's count (crm.navigation badge): conversations waiting for an answer."""
    count = panel_queries.badge_count(request.user)
    title = f"{count} conversation{'s' if count != 1 else ''} with unresolved texts"
    return render(request, "_partials/nav_badge.html", {"count": count, "title": title})


@permissions.require("sms.view")
@require_GET
def attachment(request, pk: int):
    """An attachment's bytes, for a thread in scope. Pictures show inline; anything else
    downloads, under a sandbox policy in case a browser renders it anyway."""
    stored = panel_queries.visible_attachment(request.user, pk)
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    inline = stored.content_type in INLINE_TYPES
    # Any name a phone sent, quoted or RFC 5987-encoded ("фото.jpg" is no Latin-1 header).
    response["Content-Disposition"] = content_disposition_header(not inline, stored.name)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permissions.require("sms.reply")
def simulate_inbound(request):
    """DEBUG only (console provider): a customer's text arrives as through the webhook."""
    if not settings.DEBUG:
        raise Http404
    form = SimulateInboundForm(request.POST or None, user=request.user)
    result = ""
    if request.method == "POST" and form.is_valid():
        services.receive_inbound(
            line=form.cleaned_data["line"],
            from_phone=form.cleaned_data["from_phone"],
            body=form.cleaned_data["body"],
            provider_message_id="",  # none: a simulated text is never a provider's retry
            media=(),
        )
        result = "received"
        # The next text from the same customer: line and number kept, the text box empty.
        kept = {name: form.cleaned_data[name] for name in ("line", "from_phone")}
        form = SimulateInboundForm(user=request.user, initial=kept)
    context = {"form": form, "result": result}
    return render(request, "messaging/_partials/simulate.html", context)
