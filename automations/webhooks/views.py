"""CP → Automations & Integrations → 🔗 Webhooks (tabs 🔌 Endpoints / 📊 Dashboard /
📜 Timeline) and CP → ⚡ BookBack AI. Owner only: every view requires `webhooks.manage`
(the replays `webhooks.replay`); the writes are the actions of `endpoints` and `replaying`.
"""

from django.contrib import messages
from django.db.models import Count
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from automations.webhooks import counting, endpoints, replaying, templating, timeline_html
from automations.webhooks.forms import FanOutForm, MainUrlForm
from automations.webhooks.models import (
    FANOUT_ONLY,
    MAIN_ONLY,
    Delivery,
    DeliveryState,
    Endpoint,
    Slot,
)
from crm import permissions
from crm.errors import DomainError
from crm.flash import flash_outcome
from crm.htmx import refuse

manage = permissions.require("webhooks.manage")
replay_allowed = permissions.require("webhooks.replay")

# The spec's table, in its order: each section's "Fires when".
FIRES_WHEN = {
    Slot.JOBS: "Job created (Submitted) only — and a Cancelled job re-opened to Submitted.",
    Slot.DONE: "Job → Done.",
    Slot.DEPOSIT: "Job → Deposit.",
    Slot.CANCELLED: "Job → Cancelled.",
    Slot.FINANCE_CANCELLED: "Finance Admin cancels a Done/Deposit job (the job's main status "
    "stays unchanged).",
    Slot.EXPECTED_COMPLETION: "The deposit Expected Completion Date is set or edited. Filtered "
    "fan-outs only: use {{ExpectedCompletionDate}} in the data map.",
    Slot.NEW_LEAD: "Any new lead — manual / bulk / inbound webhook / online booking.",
    Slot.CANCELLED_LEADS: "Lead → Irrelevant.",
}
SECTION_SLOTS = [slot for slot in Slot if slot not in MAIN_ONLY]
TIMELINE_SIZE = 100
WINDOWS = [(key, label) for key, (label, _) in counting.WINDOWS.items()]
REVEAL = "webhooks.reveal"


def _reveal_once(request, endpoint: Endpoint, secret: str, what: str) -> None:
    """Keep the new secret for the next page only: it is popped when shown."""
    request.session[REVEAL] = {"endpoint": endpoint.pk, "secret": secret, "what": what}


def _tabs(current: str) -> list[dict]:
    return [
        {"url": reverse(name), "label": label, "current": key == current}
        for key, label, name in (
            ("endpoints", "🔌 Endpoints", "automations:webhooks"),
            ("dashboard", "📊 Dashboard", "automations:webhook_dashboard"),
            ("timeline", "📜 Timeline", "automations:webhook_timeline"),
        )
    ]


def _filter_text(endpoint: Endpoint) -> str:
    parts = []
    for label, items in (
        ("Office", endpoint.offices.all()),
        ("Source", endpoint.lead_sources.all()),
        ("Job Type", endpoint.job_types.all()),
        ("Partner", endpoint.partners.all()),
    ):
        names = [getattr(item, "label", None) or getattr(item, "name", "") for item in items]
        if names:
            parts.append(f"{label}: {' or '.join(names)}")
    return " · ".join(parts) or "Every event (no filters)"


def _sections() -> list[dict]:
    rows = Endpoint.objects.exclude(slot=Slot.BOOKBACK_JOBS).prefetch_related(
        "offices", "partners", "job_types", "lead_sources"
    )
    dead = dict(
        Delivery.objects.filter(state=DeliveryState.DEAD, endpoint__isnull=False)
        .values_list("endpoint")
        .annotate(n=Count("id"))
    )
    sections = {
        slot: {
            "slot": slot,
            "label": slot.label,
            "fires_when": FIRES_WHEN[slot],
            "has_main": slot not in FANOUT_ONLY,
            "main": None,
            "fan_outs": [],
        }
        for slot in SECTION_SLOTS
    }
    for endpoint in rows:
        endpoint.dead_count = dead.get(endpoint.pk, 0)
        section = sections[Slot(endpoint.slot)]
        if endpoint.is_main:
            section["main"] = endpoint
        else:
            endpoint.filter_text = _filter_text(endpoint)
            section["fan_outs"].append(endpoint)
    return list(sections.values())


@manage
def endpoints_page(request):
    if request.htmx and request.GET.get("partial") == "fan_outs":
        context = {"sections": _sections()}
        return render(request, "automations/_partials/fan_outs_oob.html", context)
    context = {
        "tabs": _tabs("endpoints"),
        "sections": _sections(),
        "reveal": request.session.pop(REVEAL, None),
    }
    return render(request, "automations/endpoints.html", context)


@manage
@require_POST
def main_url(request, slot: str):
    if slot not in SECTION_SLOTS:
        return refuse(request, "Unknown webhook slot.", status=404)
    form = MainUrlForm(request.POST)
    before = Endpoint.objects.filter(slot=slot, is_main=True).values_list("pk", flat=True).first()
    if form.is_valid():
        try:
            endpoint = endpoints.save_main_url(
                actor=request.user, slot=slot, url=form.cleaned_data["url"]
            )
        except DomainError as error:
            messages.error(request, f"{Slot(slot).label}: {error.message}")
        else:
            if endpoint is not None and endpoint.pk != before:
                _reveal_once(request, endpoint, endpoint.secret, Slot(slot).label)
            messages.success(request, f"{Slot(slot).label} saved.")
    else:
        messages.error(request, "That URL is too long.")
    return redirect(f"{reverse('automations:webhooks')}#slot-{slot}")


def _fan_out_page(request, form, *, slot: str, endpoint: Endpoint | None):
    context = {
        "tabs": _tabs("endpoints"),
        "form": form,
        "slot": Slot(slot),
        "fires_when": FIRES_WHEN[Slot(slot)],
        "endpoint": endpoint,
        "variables": templating.VARIABLES,
        "data_rows": form.data_rows() or [["", ""]],
        "header_rows": form.header_rows() or [["", ""]],
    }
    return render(request, "automations/fan_out.html", context)


@manage
def fan_out_new(request, slot: str):
    if slot not in SECTION_SLOTS:
        return refuse(request, "Unknown webhook slot.", status=404)
    form = FanOutForm(request.POST or None, slot=slot)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoints.add_fan_out(actor=request.user, slot=slot, **form.action_kwargs())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            _reveal_once(request, endpoint, endpoint.secret, f"fan-out “{endpoint.name}”")
            messages.success(request, f"Fan-out {endpoint.name} added.")
            return redirect(f"{reverse('automations:webhooks')}#slot-{slot}")
    return _fan_out_page(request, form, slot=slot, endpoint=None)


@manage
def fan_out_edit(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk, is_main=False)
    form = FanOutForm(request.POST or None, slot=endpoint.slot, endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            endpoints.update_fan_out(actor=request.user, endpoint=endpoint, **form.action_kwargs())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Fan-out {form.cleaned_data['name']} saved.")
            return redirect(f"{reverse('automations:webhooks')}#slot-{endpoint.slot}")
    return _fan_out_page(request, form, slot=endpoint.slot, endpoint=endpoint)


@manage
@require_POST
def fan_out_enabled(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk, is_main=False)
    try:
        endpoint = endpoints.set_enabled(
            actor=request.user, endpoint=endpoint, enabled=request.POST.get("enabled") == "on"
        )
    except DomainError as error:
        return refuse(request, error.message, status=409)
    if request.htmx:
        endpoint.filter_text = _filter_text(endpoint)
        endpoint.dead_count = Delivery.objects.filter(
            endpoint=endpoint, state=DeliveryState.DEAD
        ).count()
        return render(request, "automations/_partials/fan_out_row.html", {"fan_out": endpoint})
    return redirect(f"{reverse('automations:webhooks')}#slot-{endpoint.slot}")


@manage
@require_POST
def fan_out_delete(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk, is_main=False)
    flash_outcome(
        request,
        lambda: endpoints.delete_fan_out(actor=request.user, endpoint=endpoint),
        success=f"Fan-out {endpoint.name} deleted.",
    )
    return redirect(f"{reverse('automations:webhooks')}#slot-{endpoint.slot}")


@manage
@require_POST
def rotate_secret(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    secret = endpoints.rotate_secret(actor=request.user, endpoint=endpoint)
    what = endpoint.get_slot_display() if endpoint.is_main else f"fan-out “{endpoint.name}”"
    _reveal_once(request, endpoint, secret, what)
    messages.success(request, "New signing secret: the old one still signs for 24 hours.")
    if endpoint.slot == Slot.BOOKBACK_JOBS:
        return redirect("automations:bookback_ai")
    return redirect(f"{reverse('automations:webhooks')}#slot-{endpoint.slot}")


# --- 📊 Dashboard ----------------------------------------------------------------------


@manage
def dashboard(request):
    window = request.GET.get("window", "today")
    if window not in dict(WINDOWS):
        window = "today"
    numbers = counting.windows(window)
    context = {
        "tabs": _tabs("dashboard"),
        "windows": WINDOWS,
        "window": window,
        "fired": numbers["fired"],
        "destinations": numbers["destinations"],
        "slot_labels": dict(Slot.choices),
    }
    return render(request, "automations/dashboard.html", context)


# --- 📜 Timeline -----------------------------------------------------------------------

STATE_FILTERS = [("", "All")] + [(value, label) for value, label in DeliveryState.choices]


def _timeline_rows(state: str) -> list[Delivery]:
    rows = Delivery.objects.select_related("endpoint").only(
        "endpoint__name",
        "endpoint__is_main",
        "id",
        "endpoint_id",
        "url",
        "slot",
        "event_id",
        "event_name",
        "webhook_id",
        "body",
        "content_type",
        "state",
        "attempts",
        "run_attempts",
        "next_attempt_at",
        "last_status",
        "last_error",
        "created_at",
        "delivered_at",
        "dead_at",
    )
    if state:
        rows = rows.filter(state=state)
    return list(rows[:TIMELINE_SIZE])


@manage
def timeline(request):
    state = request.GET.get("state", "")
    if state not in DeliveryState.values:
        state = ""
    rows = _timeline_rows(state)
    can_replay = permissions.can(request.user, "webhooks.replay")
    context = {
        "tabs": _tabs("timeline"),
        "rows": rows,
        "rows_html": timeline_html.rows_html(
            rows,
            replay_base=reverse("automations:webhook_replay", args=[0]).removesuffix("0/replay"),
            csrf_token=get_token(request),
            next_path=request.get_full_path(),
            can_replay=can_replay,
        ),
        "state": state,
        "states": STATE_FILTERS,
        "size": TIMELINE_SIZE,
        "slot_labels": dict(Slot.choices),
        "can_replay": can_replay,
    }
    if request.htmx and request.GET.get("partial") == "rows":
        return render(request, "automations/_partials/timeline_rows.html", context)
    return render(request, "automations/timeline.html", context)


@replay_allowed
@require_POST
def replay(request, pk: int):
    flash_outcome(
        request,
        lambda: replaying.replay(actor=request.user, delivery_id=pk),
        success=f"Delivery #{pk} replayed: same webhook-id and body, sent now.",
    )
    return redirect(request.POST.get("next") or reverse("automations:webhook_timeline"))


@replay_allowed
@require_POST
def replay_dead(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    try:
        count = replaying.replay_all_dead(actor=request.user, endpoint_id=endpoint.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{count} dead deliveries replayed to {endpoint.url}.")
    if endpoint.slot == Slot.BOOKBACK_JOBS:
        return redirect("automations:bookback_ai")
    return redirect(f"{reverse('automations:webhooks')}#slot-{endpoint.slot}")


# --- ⚡ BookBack AI ---------------------------------------------------------------------


@manage
def bookback_ai(request):
    current = Endpoint.objects.filter(slot=Slot.BOOKBACK_JOBS, is_main=True).first()
    form = MainUrlForm(request.POST or None, initial={"url": current.url if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoints.set_bookback_jobs_url(
                actor=request.user, url=form.cleaned_data["url"]
            )
        except DomainError as error:
            form.add_error("url", error.message)
        else:
            if endpoint is not None and (current is None or current.pk != endpoint.pk):
                _reveal_once(request, endpoint, endpoint.secret, "BookBack Jobs Webhook URL")
            messages.success(request, "BookBack Jobs Webhook URL saved.")
            return redirect("automations:bookback_ai")
    dead = 0
    if current is not None:
        dead = Delivery.objects.filter(endpoint=current, state=DeliveryState.DEAD).count()
    context = {
        "form": form,
        "endpoint": current,
        "dead_count": dead,
        "reveal": request.session.pop(REVEAL, None),
    }
    return render(request, "automations/bookback_ai.html", context)
