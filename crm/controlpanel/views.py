"""The owner's Control Panel. Every view here requires `controlpanel.access` (owner only)."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from crm import deliveries, permissions
from crm.accounts import services as accounts
from crm.accounts.forms import UserForm
from crm.accounts.models import Office, Role, User
from crm.controlpanel import services
from crm.controlpanel.forms import AppSettingsForm, GooglePlacesForm, OfficeForm
from crm.controlpanel.models import AppSettings
from crm.controlpanel.tiles import visible_tiles
from crm.errors import DomainError
from crm.flash import flash_outcome

owner_only = permissions.require("controlpanel.access")


@owner_only
def index(request):
    return render(request, "controlpanel/index.html", {"groups": visible_tiles()})


@owner_only
def offices(request):
    form = OfficeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            office = accounts.add_office(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"Office {office.name} added.")
            return redirect("controlpanel:offices")
    rows = Office.objects.annotate(user_count=Count("users"))
    return render(request, "controlpanel/offices.html", {"form": form, "offices": rows})


@owner_only
@require_POST
def delete_office(request, pk: int):
    office = get_object_or_404(Office, pk=pk)
    flash_outcome(
        request,
        lambda: accounts.delete_office(actor=request.user, office=office),
        success=f"Office {office.name} deleted.",
    )
    return redirect("controlpanel:offices")


@owner_only
def office_settings(request):
    return render(request, "controlpanel/office_settings.html", {"offices": Office.objects.all()})


@owner_only
@require_POST
def toggle_jobs_feature(request, pk: int):
    office = get_object_or_404(Office, pk=pk)
    office = accounts.set_jobs_feature(
        actor=request.user, office=office, enabled=request.POST.get("is_jobs_enabled") == "on"
    )
    if request.htmx:
        return render(request, "controlpanel/_partials/office_card.html", {"office": office})
    return redirect("controlpanel:office_settings")


@owner_only
def users(request):
    rows = (
        User.objects.select_related("partner")
        .prefetch_related("offices")
        .order_by("-is_active", "first_name")
    )
    return render(request, "controlpanel/users.html", {"users": rows, "roles": Role})


def _user_form_response(request, form, user=None):
    context = {"form": form, "edited": user}
    template = (
        "controlpanel/_partials/user_form.html" if request.htmx else "controlpanel/user_page.html"
    )
    return render(request, template, context)


def _save_user(request, form, user: User | None):
    """Run the create/update action; on refusal the modal re-renders with the reason."""
    data = dict(form.cleaned_data)
    password = data.pop("password", "")
    try:
        if user is None:
            user = accounts.create_user(actor=request.user, password=password, **data)
        else:
            user = accounts.update_user(actor=request.user, user=user, **data)
            if password:
                accounts.set_password(actor=request.user, user=user, password=password)
    except DomainError as error:
        form.add_error(None, error.message)
        return None
    return user


@owner_only
def create_user(request):
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _save_user(request, form, None)
        if user is not None:
            messages.success(request, f"{user.full_name} can now sign in.")
            return HttpResponseClientRefresh() if request.htmx else redirect("controlpanel:users")
    return _user_form_response(request, form)


@owner_only
def edit_user(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid() and _save_user(request, form, user):
        messages.success(request, f"{user.full_name} saved.")
        return HttpResponseClientRefresh() if request.htmx else redirect("controlpanel:users")
    return _user_form_response(request, form, user)


@owner_only
@require_POST
def delete_user(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    flash_outcome(
        request,
        lambda: accounts.delete_user(actor=request.user, user=user),
        success=f"{user.full_name} deleted.",
    )
    return redirect("controlpanel:users")


@owner_only
def permission_matrix(request):
    context = {"rows": permissions.matrix(), "roles": Role}
    return render(request, "controlpanel/permissions.html", context)


@owner_only
def app_settings(request):
    current = AppSettings.load()
    form = AppSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_app_settings(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "App settings saved.")
            return redirect("controlpanel:app_settings")
    return render(request, "controlpanel/app_settings.html", {"form": form})


@owner_only
def google_places(request):
    """CP → 🌐 Google Places API: one encrypted field, never rendered back."""
    form = GooglePlacesForm(request.POST or None, instance=AppSettings.load())
    if request.method == "POST" and form.is_valid():
        services.set_google_places_key(actor=request.user, api_key=form.new_key())
        messages.success(request, "Google Places API key saved.")
        return redirect("controlpanel:google_places")
    return render(request, "controlpanel/google_places.html", {"form": form})


# --- 🩺 System -------------------------------------------------------------------------

SYSTEM_PAGE_SIZE = 100


@owner_only
def system(request):
    """CP → 🩺 System: event handlers that failed for good, beside the other failure lists
    (the tiles counting what waits for the owner, such as 📥 Inbox failures)."""
    failures = list(deliveries.failures()[:SYSTEM_PAGE_SIZE])
    for delivery in failures:
        delivery.last_line = (delivery.error.strip().splitlines() or [""])[-1]
    beside = [
        entry
        for _, entries in visible_tiles()
        for entry in entries
        if entry["tile"].count_of and entry["tile"].url_name != "controlpanel:system"
    ]
    dead_webhooks, dead_total = _dead_webhooks()
    context = {
        "failures": failures,
        "total": deliveries.failure_count(),
        "page_size": SYSTEM_PAGE_SIZE,
        "beside": beside,
        "dead_webhooks": dead_webhooks,
        "dead_webhook_total": dead_total,
    }
    return render(request, "controlpanel/system.html", context)


# Outbound webhooks live in `automations`, which crm may not import: read by dotted path.
DEAD_WEBHOOKS = "automations.webhooks.counting.dead_deliveries"
DEAD_WEBHOOK_COUNT = "automations.webhooks.counting.dead_count"


def _dead_webhooks() -> tuple[list, int]:
    """Dead webhook deliveries (newest first) with each one's ↻ Replay URL, if the
    webhooks pages offer one."""
    rows = import_string(DEAD_WEBHOOKS)(SYSTEM_PAGE_SIZE)
    for row in rows:
        try:
            row.replay_url = reverse("automations:webhook_replay", args=[row.pk])
        except NoReverseMatch:
            row.replay_url = ""
    return rows, import_string(DEAD_WEBHOOK_COUNT)()


@owner_only
@require_POST
def retry_delivery(request, pk: int):
    flash_outcome(
        request,
        lambda: deliveries.retry(actor=request.user, delivery_id=pk),
        success=f"Handler #{pk} queued again: it runs within a minute, or comes back here "
        "with the new error.",
    )
    return redirect("controlpanel:system")
