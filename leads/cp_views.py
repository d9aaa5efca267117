"""Owner CP pages of the leads app: 📥 Lead Sources, ⏱ Snooze Sequences, 🕐 Calling Hours
and 📥 Inbox failures. Every view requires `controlpanel.access` (owner only); the writes
are the actions of `leads.services.sources`, `.snooze`, `.calling_hours` and `.inbox`."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm import permissions
from crm.errors import DomainError
from crm.flash import flash_outcome
from crm.http import json_error
from leads.calling_hours import DEFAULT_WINDOW
from leads.cp_forms import (
    CallingHoursForm,
    SourceForm,
    parse_steps,
    rows_from_minutes,
    sequence_summary,
    step_label,
)
from leads.models import (
    AGGRESSIVE,
    BOOKBACK,
    PROTECTED_SOURCE_KEYS,
    STANDARD,
    CallingHours,
    LeadSource,
)
from leads.services import calling_hours, inbox, snooze, sources

owner_only = permissions.require("controlpanel.access")

# Presets the snooze editor can load (GET ?preset=...); nothing is saved until Save.
PRESETS = {
    "standard": ("Standard", STANDARD),
    "aggressive": ("Aggressive", AGGRESSIVE),
    "bookback": ("BookBack AI", BOOKBACK),
}
STATE_NAMES = dict(calling_hours.US_STATES)
DEFAULT_WINDOW_TEXT = f"{DEFAULT_WINDOW[0]}–{DEFAULT_WINDOW[1]}"


# --- 📥 Lead sources -----------------------------------------------------------------


def _source_rows(request) -> list[dict]:
    return [
        {
            "source": source,
            "ingest_url": request.build_absolute_uri(
                reverse("leads:webhook_token", args=[source.webhook_token])
            ),
            "is_protected": source.key in PROTECTED_SOURCE_KEYS,
        }
        for source in LeadSource.objects.select_related("default_office")
    ]


def _sources_page(request, form, edited: LeadSource | None = None):
    context = {"form": form, "edited": edited, "rows": _source_rows(request)}
    return render(request, "leads/cp_sources.html", context)


@owner_only
def cp_sources(request):
    if request.htmx and request.method == "GET":  # live refresh of the table body
        rows = _source_rows(request)
        return render(request, "leads/_partials/cp_source_rows.html", {"rows": rows})
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = sources.add_source(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Lead source {source.label} added at the bottom.")
            return redirect("leads:cp_sources")
    return _sources_page(request, form)


@owner_only
def cp_source_edit(request, pk: int):
    source = get_object_or_404(LeadSource, pk=pk)
    initial = {
        "label": source.label,
        "color": source.color,
        "default_office": source.default_office_id,
        "is_active": source.is_active,
    }
    form = SourceForm(request.POST or None, initial=initial, edit=True)
    if request.method == "POST" and form.is_valid():
        try:
            source = sources.update_source(actor=request.user, source=source, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Lead source {source.label} saved.")
            return redirect("leads:cp_sources")
    return _sources_page(request, form, edited=source)


@owner_only
@require_POST
def cp_source_token(request, pk: int):
    source = get_object_or_404(LeadSource, pk=pk)
    source = sources.regenerate_token(actor=request.user, source=source)
    messages.success(
        request, f"New webhook URL for {source.label}. The old one no longer accepts leads."
    )
    return redirect("leads:cp_sources")


@owner_only
@require_POST
def cp_source_delete(request, pk: int):
    source = get_object_or_404(LeadSource, pk=pk)
    flash_outcome(
        request,
        lambda: sources.delete_source(actor=request.user, source=source),
        success=f"Lead source {source.label} deleted.",
    )
    return redirect("leads:cp_sources")


@owner_only
@require_POST
def cp_sources_reorder(request):
    """`order=<id>&order=<id>...`, every source once: 204 for HTMX / fetch, else a redirect."""
    try:
        ordered_ids = [int(value) for value in request.POST.getlist("order")]
    except ValueError:
        return json_error("The new order is not valid. Reload the page and try again.", 400)
    try:
        sources.reorder_sources(actor=request.user, ordered_ids=ordered_ids)
    except DomainError as error:
        return json_error(error.message, 400)
    if request.htmx:
        return HttpResponse(status=204)
    messages.success(request, "Lead source order saved.")
    return redirect("leads:cp_sources")


# --- ⏱ Snooze sequences --------------------------------------------------------------


def _snooze_rows() -> list[dict]:
    return [
        {
            "source": source,
            "summary": sequence_summary(source.snooze_steps or []),
            "steps": [step_label(step) for step in source.snooze_steps or []],
        }
        for source in LeadSource.objects.only("pk", "key", "label", "color", "snooze_steps")
    ]


@owner_only
def cp_snooze(request):
    if request.htmx and request.method == "GET":
        return render(request, "leads/_partials/cp_snooze_rows.html", {"rows": _snooze_rows()})
    return render(request, "leads/cp_snooze.html", {"rows": _snooze_rows()})


@owner_only
def cp_snooze_edit(request, pk: int):
    """The step editor. Works as a plain form: repeated `amount` + `unit` inputs, in order."""
    source = get_object_or_404(LeadSource, pk=pk)
    error, loaded = "", None
    if request.method == "POST":
        steps, minutes, error = parse_steps(
            request.POST.getlist("amount"), request.POST.getlist("unit")
        )
        if not error:
            try:
                snooze.set_snooze_steps(actor=request.user, source=source, steps_minutes=minutes)
            except DomainError as refusal:
                error = refusal.message
            else:
                summary = sequence_summary(minutes)
                messages.success(request, f"Snooze sequence for {source.label} saved: {summary}.")
                return redirect("leads:cp_snooze")
    else:
        loaded = PRESETS.get(request.GET.get("preset", ""))
        steps = rows_from_minutes(loaded[1] if loaded else source.snooze_steps or [])
    context = {
        "rows": _snooze_rows(),
        "edited": source,
        "steps": steps or [{"amount": "", "unit": "min"}],
        "error": error,
        "presets": PRESETS,
        "loaded_preset": loaded[0] if loaded else "",
        "units": ("min", "h", "d"),
    }
    return render(request, "leads/cp_snooze.html", context)


# --- 🕐 Calling hours ----------------------------------------------------------------


def _calling_hours_rows() -> list[dict]:
    return [
        {"hours": row, "name": STATE_NAMES.get(row.state, row.state)}
        for row in CallingHours.objects.all()
    ]


@owner_only
def cp_calling_hours(request):
    """The table of states with their own window, and one form that adds or edits a state."""
    if request.htmx and request.method == "GET":
        context = {"rows": _calling_hours_rows(), "default_window": DEFAULT_WINDOW_TEXT}
        return render(request, "leads/_partials/cp_calling_hours_rows.html", context)
    state = request.GET.get("state", "").strip().upper()
    existing = CallingHours.objects.filter(state=state).first() if state else None
    initial = {"state": state, "start_hour": DEFAULT_WINDOW[0], "end_hour": DEFAULT_WINDOW[1]}
    if existing:
        initial.update(
            start_hour=existing.start_hour,
            end_hour=existing.end_hour,
            sunday_start_hour=existing.sunday_start_hour,
            sunday_end_hour=existing.sunday_end_hour,
        )
    form = CallingHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = calling_hours.save_calling_hours(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{STATE_NAMES[row.state]} calling hours saved.")
            return redirect("leads:cp_calling_hours")
    context = {
        "form": form,
        "rows": _calling_hours_rows(),
        "editing": existing,
        "default_window": DEFAULT_WINDOW_TEXT,
    }
    return render(request, "leads/cp_calling_hours.html", context)


@owner_only
@require_POST
def cp_calling_hours_delete(request, pk: int):
    row = get_object_or_404(CallingHours, pk=pk)
    flash_outcome(
        request,
        lambda: calling_hours.delete_calling_hours(actor=request.user, state=row.state),
        success=f"{row.state} is back to the default {DEFAULT_WINDOW_TEXT}.",
    )
    return redirect("leads:cp_calling_hours")


# --- 📥 Inbox failures -------------------------------------------------------------------

INBOX_PAGE_SIZE = 100


@owner_only
def cp_inbox_failures(request):
    rows = list(inbox.failures()[:INBOX_PAGE_SIZE])
    for row in rows:
        row.payload_text = json.dumps(row.payload, indent=2, ensure_ascii=False)
    context = {"rows": rows, "total": inbox.failure_count(), "page_size": INBOX_PAGE_SIZE}
    return render(request, "leads/cp_inbox_failures.html", context)


# What each button does to a failed row, and what the toast then says.
INBOX_ACTIONS = {
    "retry": (
        inbox.retry,
        "Inbox row #{pk} sent again: its lead appears in a few seconds if the cause is "
        "fixed, or it comes back here with the new reason.",
    ),
    "dismiss": (inbox.dismiss, "Inbox row #{pk} dismissed."),
}


@owner_only
@require_POST
def cp_inbox_action(request, pk: int, action: str):
    if action not in INBOX_ACTIONS:
        raise Http404("No such action.")
    act, success = INBOX_ACTIONS[action]
    flash_outcome(
        request,
        lambda: act(actor=request.user, inbound_id=pk),
        success=success.format(pk=pk),
    )
    return redirect("leads:cp_inbox_failures")
