"""💰 Finance: Deposit and Done jobs with their money. Owner and finance_admin edit; viewers
read with every input locked (the server refuses their writes too); others get 403.
Thin: forms parse, `finance.services` writes, `finance.queries` scopes."""

import datetime
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm import permissions
from crm.errors import DomainError
from crm.htmx import refuse
from crm.timeline.models import TimelineEntry
from crm.xlsx import xlsx_response
from finance import services, tasks
from finance.forms import FinanceFilterForm, menu_choices
from finance.models import WeeklyReportDelivery
from finance.money import contractor_payout, money
from finance.queries import finance_jobs, finance_scope, list_totals
from finance.reports import build_weekly_report, last_closed_week, report_xlsx, week_start_of
from finance.rows import ROW_FIELDS, rows_html
from jobs.responses import REFRESH
from jobs.services import archive_job

can_view = permissions.require("finance.view")
PAGE_SIZE = 50
EXPORT_COLUMNS = [
    ("Job", "number"),
    ("Date", "starts_at"),
    ("Client", None),
    ("Office", "office__name"),
    ("Partner", "source__name"),
    ("Contractor", "contractor__name"),
    ("Status", "status"),
    ("Closing", "closing_total"),
    ("Parts", "parts_total"),
    ("Deposit", "deposit_amount"),
    ("Profit %", "profit_share"),
    ("Payout", "payout"),
    ("Contractor paid", "contractor_paid_at"),
    ("Partner paid", "partner_paid_at"),
    ("Finance-cancelled", "finance_cancelled_at"),
]


def _filtered(request, jobs) -> tuple[FinanceFilterForm, object]:
    form = FinanceFilterForm(request.GET, user=request.user)
    return form, (form.apply(jobs) if form.is_valid() else jobs.none())


@can_view
def dashboard(request):
    # Without the payout annotation: the rows work it out (finance.rows).
    form, jobs = _filtered(request, finance_scope(request.user))
    can_edit = permissions.can(request.user, "finance.edit")
    rows = jobs.order_by("-starts_at", "-number").values(*ROW_FIELDS)
    count, money_totals = list_totals(request.user, jobs)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = count  # the cached COUNT, not a second scan of every row
    page = paginator.get_page(request.GET.get("page"))
    detail_base = reverse("finance:detail", args=[0])[:-1]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows_html(
            page.object_list,
            menus=form.choices_by_menu,
            detail_base=detail_base,
            can_edit=can_edit,
        ),
        "totals": {name: money(value) for name, value in money_totals.items()},
        "query": query.urlencode(),
        "can_edit": can_edit,
        "can_archive": permissions.can(request.user, "jobs.archive") and can_edit,
    }
    if request.htmx and request.htmx.target == "finance-list":
        return render(request, "finance/_partials/list.html", context)
    return render(request, "finance/dashboard.html", context)


@can_view
def export(request):
    """The filtered list (every page) as .xlsx, the numbers as numbers."""
    _, jobs = _filtered(request, finance_jobs(request.user))
    values = [field for _, field in EXPORT_COLUMNS if field] + ["first_name", "last_name"]
    rows = (
        [_cell(row, field) for _, field in EXPORT_COLUMNS]
        for row in jobs.order_by("-starts_at", "-number").values(*values)
    )
    headers = [title for title, _ in EXPORT_COLUMNS]
    stamp = timezone.localdate().isoformat()
    return xlsx_response(f"finance-{stamp}.xlsx", [("Finance", headers, rows)])


def _cell(row: dict, field: str | None):
    if field is None:
        return f"{row['first_name']} {row['last_name']}".strip()
    value = row[field]
    if field == "number":
        return f"JOB-{value}"
    if hasattr(value, "tzinfo"):  # dates as dates; Excel has no time zones
        return value.astimezone(timezone.get_default_timezone()).replace(tzinfo=None)
    return value


def _job(request, pk: int):
    return get_object_or_404(finance_jobs(request.user), pk=pk)


def _panel(request, job, *, error: str = "", confirm: dict | None = None):
    job = (
        finance_jobs(request.user)
        .select_related(
            "office",
            "source",
            "contractor",
            "contractor_paid_by",
            "partner_paid_by",
            "finance_cancelled_by",
        )
        .get(pk=job.pk)
    )
    context = {
        "job": job,
        "payout": money(contractor_payout(job.closing_total, job.parts_total, job.profit_share)),
        "fields": [
            (name, label, getattr(job, name)) for name, label in services.MONEY_FIELDS.items()
        ],
        "paid": [
            ("contractor", "Contractor", job.contractor_paid_at, job.contractor_paid_by, False),
            ("partner", "Partner", job.partner_paid_at, job.partner_paid_by, job.partner_paid_auto),
        ],
        "can_edit": permissions.can(request.user, "finance.edit"),
        "can_archive": permissions.can(request.user, "finance.edit")
        and permissions.can(request.user, "jobs.archive"),
        "timeline": TimelineEntry.objects.for_subject(job).select_related("actor")[:50],
        "error": error,
        "confirm": confirm,
    }
    response = render(request, "finance/_partials/panel.html", context)
    if not error and request.method == "POST":
        response["HX-Trigger"] = json.dumps(REFRESH)
    return response


@can_view
def detail(request, pk: int):
    return _panel(request, _job(request, pk))


def _require_edit(request) -> None:
    if not permissions.can(request.user, "finance.edit"):
        raise PermissionDenied


@can_view
@require_POST
def update_money(request, pk: int):
    _require_edit(request)
    job = _job(request, pk)
    field, value = request.POST.get("field", ""), request.POST.get("value", "")
    try:
        services.update_money(
            job=job,
            actor=request.user,
            field=field,
            value=value,
            confirm_parts_over_closing=request.POST.get("confirm") == "1",
        )
    except services.PartsOverClosing as exc:
        return _panel(request, job, error=exc.message, confirm={"field": field, "value": value})
    except DomainError as exc:
        return _panel(request, job, error=exc.message)
    return _panel(request, job)


@can_view
@require_POST
def set_paid(request, pk: int):
    """K toggles from a row or the panel: ?party=contractor|partner&paid=1|0 (wanted)."""
    _require_edit(request)
    job = _job(request, pk)
    party = request.POST.get("party")
    action = {"contractor": services.set_contractor_paid, "partner": services.set_partner_paid}
    if party not in action or request.POST.get("paid") not in ("0", "1"):
        return refuse(request, "Say party=contractor|partner and paid=1|0.", status=400)
    try:
        action[party](job=job, actor=request.user, paid=request.POST["paid"] == "1")
    except DomainError as exc:
        return refuse(request, exc.message, status=409)
    if request.htmx and request.htmx.target == "job-finance-panel":
        return _panel(request, job)
    row = finance_scope(request.user).filter(pk=pk).values(*ROW_FIELDS).get()
    detail_base = reverse("finance:detail", args=[0])[:-1]
    menus = menu_choices(request.user)
    response = HttpResponse(rows_html([row], menus=menus, detail_base=detail_base, can_edit=True))
    response["HX-Trigger"] = json.dumps(REFRESH)
    return response


@can_view
@require_POST
def finance_cancel(request, pk: int):
    _require_edit(request)
    job = _job(request, pk)
    try:
        if request.POST.get("undo"):
            services.undo_finance_cancel(job=job, actor=request.user)
        else:
            services.finance_cancel(
                job=job,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
    except DomainError as exc:
        return _panel(request, job, error=exc.message)
    return _panel(request, job)


@can_view
@require_POST
def archive(request, pk: int):
    """📦 from the finance panel: the same archive as the Jobs board."""
    _require_edit(request)
    job = _job(request, pk)
    try:
        archive_job(job=job, actor=request.user)
    except DomainError as exc:
        return _panel(request, job, error=exc.message)
    response = HttpResponse(status=204)
    response["HX-Trigger"] = json.dumps(
        {**REFRESH, "closeRight": {}, "toast": {"text": f"{job.display_id} archived."}}
    )
    return response


@can_view
def reports(request):
    """📊 Reports: a week's per-contractor and per-partner summaries (?week=YYYY-MM-DD, a
    Monday; default the last closed week), as a page or .xlsx (?format=xlsx). Owners and
    finance admins may send the week's emails now (each goes once, whoever sends it)."""
    try:
        week = week_start_of(datetime.date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        week = last_closed_week()
    report = build_weekly_report(week, user=request.user)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
        return response
    context = {
        "report": report,
        "previous": week - datetime.timedelta(days=7),
        "next": week + datetime.timedelta(days=7),
        "can_send": permissions.can(request.user, "finance.edit"),
        "deliveries": WeeklyReportDelivery.objects.filter(week_start=report.week_start),
    }
    return render(request, "finance/reports.html", context)


@can_view
@require_POST
def send_reports(request):
    _require_edit(request)
    try:
        week = week_start_of(datetime.date.fromisoformat(request.POST.get("week", "")))
    except ValueError:
        return refuse(request, "Pick the week (its Monday, YYYY-MM-DD).", status=400)
    # SMTP is slow and may hang: the worker sends, the page lists each email's state.
    transaction.on_commit(lambda: tasks.send_weekly_reports.delay(week.isoformat()))
    messages.success(
        request,
        "Sending the week's emails: each one's state appears under ✉ Emails (refresh to see "
        "new ones). An email already sent is never sent twice.",
    )
    return redirect(f"{reverse('finance:reports')}?week={week.isoformat()}")
