"""The owner's Control Panel. Every view here requires `controlpanel.access` (owner only)."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from crm import deliveries, permissions
from crm.accounts import office_email
from crm.accounts import services as accounts
from crm.accounts.forms import UserForm
from crm.accounts.models import Office, Role, User
from crm.controlpanel import services
from crm.controlpanel.forms import (
    AppSettingsForm,
    GooglePlacesForm,
    OfficeEmailForm,
    OfficeForm,
    SendTestForm,
)
from crm.controlpanel.models import AppSettings
from crm.controlpanel.tiles import visible_tiles
from crm.errors import DomainError
from crm.flash import flash_outcome
from crm.unreadable_secrets import report_unreadable

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


# --- ⚙️ Office Settings ----------------------------------------------------------------

# Lines and each office's CTM number live in `messaging`, which crm may not import: read
# and written by dotted path.
LINE_CHOICES = "messaging.senders.line_choices"
OFFICE_LINES = "messaging.senders.office_lines"
SET_OFFICE_LINE = "messaging.senders.set_office_sms_line"


def _office_card(office: Office, *, lines: dict, choices: list, email_form=None) -> dict:
    """One office card's context: the Jobs switch, its CTM number, its SMTP sender."""
    return {
        "office": office,
        "line": lines.get(office.pk),
        "line_choices": choices,
        "email_form": email_form or OfficeEmailForm(instance=office),
        "missing": office_email.missing_smtp_fields(office),
        "test_form": SendTestForm(prefix=f"test-{office.pk}"),
    }


def _office_settings_page(request, *, bound: OfficeEmailForm | None = None):
    lines, choices = import_string(OFFICE_LINES)(), import_string(LINE_CHOICES)()
    cards = [
        _office_card(
            office,
            lines=lines,
            choices=choices,
            email_form=bound if bound is not None and bound.instance.pk == office.pk else None,
        )
        for office in Office.objects.all()
    ]
    for card in cards:
        report_unreadable(card["office"])  # audits an app password no key opens, once
    return render(request, "controlpanel/office_settings.html", {"cards": cards})


@owner_only
def office_settings(request):
    return _office_settings_page(request)


@owner_only
@require_POST
def toggle_jobs_feature(request, pk: int):
    office = get_object_or_404(Office, pk=pk)
    office = accounts.set_jobs_feature(
        actor=request.user, office=office, enabled=request.POST.get("is_jobs_enabled") == "on"
    )
    if request.htmx:
        return render(request, "controlpanel/_partials/office_jobs.html", {"office": office})
    return redirect("controlpanel:office_settings")


@owner_only
@require_POST
def set_office_sms_line(request, pk: int):
    """The office's CTM number, saved as soon as it is picked."""
    office = get_object_or_404(Office, pk=pk)
    raw = request.POST.get("line", "")
    error = ""
    try:
        line_id = int(raw) if raw else None
    except ValueError:
        line_id, error = None, "Pick a number from the list."
    if not error:
        try:
            import_string(SET_OFFICE_LINE)(actor=request.user, office=office, line_id=line_id)
        except DomainError as refusal:
            error = refusal.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"CTM number of {office.name} saved.")
        return redirect("controlpanel:office_settings")
    context = {
        "office": office,
        "line": import_string(OFFICE_LINES)().get(office.pk),
        "line_choices": import_string(LINE_CHOICES)(),
        "sms_error": error,
        "sms_saved": not error,
    }
    return render(request, "controlpanel/_partials/office_sms.html", context)


@owner_only
@require_POST
def save_office_email(request, pk: int):
    """The office's SMTP sender; the form comes back with its refusal, or saved."""
    office = get_object_or_404(Office, pk=pk)
    form = OfficeEmailForm(request.POST, instance=office)
    saved = False
    if form.is_valid():
        try:
            office = office_email.save_office_email_sender(
                actor=request.user, office=office, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            saved = True
            form = OfficeEmailForm(instance=office)
    if not request.htmx:
        if saved:
            messages.success(request, f"Email sender of {office.name} saved.")
            return redirect("controlpanel:office_settings")
        return _office_settings_page(request, bound=form)
    office.refresh_from_db()
    context = {
        "office": office,
        "email_form": form,
        "missing": office_email.missing_smtp_fields(office),
        "email_saved": saved,
    }
    return render(request, "controlpanel/_partials/office_email.html", context)


@owner_only
@require_POST
def send_office_test(request, pk: int):
    """📨 Send Test: the outcome (sent, auth failed, refused, timeout…) beside the button."""
    office = get_object_or_404(Office, pk=pk)
    form = SendTestForm(request.POST, prefix=f"test-{office.pk}")
    result, error = None, ""
    if form.is_valid():
        try:
            result = office_email.send_office_test_email(
                actor=request.user, office=office, recipient=form.cleaned_data["recipient"]
            )
        except DomainError as refusal:
            error = refusal.message
    else:
        error = "Enter the email address the test goes to."
    context = {"office": office, "result": result, "error": error}
    if not request.htmx:
        if result is not None and result.is_sent:
            messages.success(request, f"{result.label}: {result.message}")
        else:
            messages.error(request, error or f"{result.label}: {result.message}")
        return redirect("controlpanel:office_settings")
    return render(request, "controlpanel/_partials/send_test_result.html", context)


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
