"""The Leads dashboard and the lead detail panel. Thin: forms parse, `visible_to` scopes,
`crm.permissions` decides, one action in `leads.services` writes."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from crm import permissions
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.navigation import url_or_none
from crm.timeline.models import TimelineEntry
from leads import listing, search_rows, services
from leads.calling_hours import is_outside
from leads.choices import source_map
from leads.forms import (
    FieldForm,
    LeadCreateForm,
    LeadFilterForm,
    StatusForm,
    WorkizForm,
    local_input_value,
)
from leads.listing import Page
from leads.models import CALLBACK_STATUSES, Lead, Status
from leads.rows import dashboard_row
from leads.services.working import next_snooze_slot

ROW_TARGETS = {"lead-rows"}  # the live refresh swaps only the table body
PAGING_PARAMS = ("after", "before", "n", "page")


def _leads(user, *, archived: bool = False):
    return Lead.objects.visible_to(user, archived=archived).select_related(
        "office", "source", "claimed_by"
    )


def _lead_or_404(request, pk: int, *, archived: bool = False) -> Lead:
    return get_object_or_404(_leads(request.user, archived=archived), pk=pk)


def _start(request) -> int:
    try:
        return max(1, min(int(request.GET.get("n", 1)), 10_000_000))
    except ValueError:
        return 1


def _page(request, form, now) -> Page:
    """This request's rows and total (leads.listing): keyset pages in tier order, or a
    search's ranked matches by offset."""
    leads = Lead.objects.visible_to(request.user)
    if not form.is_valid():
        return Page(rows=[], start=1, total=0)
    filters = form.cleaned_data
    any_status = form.apply(leads, now, search=False, status=False)
    statuses = filters.get("status")
    leads = any_status.filter(status__in=statuses) if statuses else any_status
    start, size = _start(request), listing.PAGE_SIZE
    if filters.get("q"):
        unsearched = {name: value for name, value in filters.items() if name != "q"}
        found = search_rows.ranked_rows(
            leads,
            filters["q"],
            offset=start - 1,
            shape=listing.scope_shape(request.user, unsearched),
        )
        page = Page(rows=found[:size], start=start, total=found[0]["total"] if found else 0)
        page.is_capped = page.total >= listing.SEARCH_CAP
        if len(found) > size:
            page.next_params = {"n": start + size}
        if start > 1:
            page.previous_params = {"n": max(1, start - size)}
        return page
    after = listing.Cursor.parse(request.GET.get("after"))
    before = None if after else listing.Cursor.parse(request.GET.get("before"))
    shape = listing.scope_shape(request.user, filters)
    found = listing.tiered_rows(
        any_status, now=now, after=after, before=before, statuses=statuses, shape=shape
    )
    if before is not None and len(found) <= size:  # back at the top: the first page
        before, start = None, 1
        found = listing.tiered_rows(any_status, now=now, statuses=statuses, shape=shape)
    if before is not None:
        found, has_before, has_after = found[1:], True, True
    else:
        has_before, has_after = after is not None, len(found) > size
        found = found[:size]
    if after is None and before is None:
        start = 1
    total, is_capped = listing.counted_total(leads, user=request.user, filters=filters)
    page = Page(rows=found, start=start, total=total, is_capped=is_capped)
    if has_after and found:
        page.next_params = {"after": listing.Cursor.of(found[-1]), "n": start + len(found)}
    if has_before and found:
        page.previous_params = {
            "before": listing.Cursor.of(found[0]),
            "n": max(1, start - size),
        }
    return page


@permissions.require("leads.view")
def dashboard(request):
    now = timezone.now()
    form = LeadFilterForm(request.GET, user=request.user)
    page = _page(request, form, now)
    query = request.GET.copy()
    for name in PAGING_PARAMS:
        query.pop(name, None)
    query = query.urlencode()
    detail_base = reverse("leads:detail", args=[0])[:-1]  # one reverse() per page, not per row
    sources = source_map(form.sources)
    offices = _office_names(request.user, page.rows)
    rows = [
        dashboard_row(
            row,
            user=request.user,
            now=now,
            detail_base=detail_base,
            sources=sources,
            offices=offices,
        )
        for row in page.rows
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "next_url": _paged_url(query, page.next_params),
        "previous_url": _paged_url(query, page.previous_params),
        "can": _capabilities(request.user),
        "urls": _dashboard_urls(),
    }
    if request.htmx and request.htmx.target in ROW_TARGETS:
        return render(request, "leads/_partials/rows.html", context)
    return render(request, "leads/dashboard.html", context)


def _office_names(user, rows: list[dict]) -> dict[int, str]:
    """Office names by id: the user's own office list (read once per request anyway); a
    partner, whose leads lie in offices not on it, reads the names of those."""
    names = {office_id: name for office_id, name, _ in user.visible_offices}
    missing = {row["office_id"] for row in rows} - names.keys()
    if missing:
        names.update(Office.objects.filter(pk__in=missing).values_list("id", "name"))
    return names


def _dashboard_urls() -> dict[str, str]:
    """The page's own links, resolved once per URLconf (crm.navigation), not per {% url %}."""
    names = ("archived", "import", "create", "dashboard")
    return {name: url_or_none(f"leads:{name}") for name in names}


def _paged_url(query: str, params: dict) -> str:
    if not params:
        return ""
    paging = "&".join(f"{name}={value}" for name, value in params.items())
    return f"?{query}&{paging}" if query else f"?{paging}"


def _capabilities(user) -> dict:
    names = ["leads.edit", "leads.create", "leads.import", "leads.archive", "leads.delete"]
    return {name.split(".")[1]: permissions.can(user, name) for name in names}


def _panel(
    request, lead: Lead, *, error: str = "", status_form=None, notice: str = ""
) -> HttpResponse:
    lead = Lead.objects.select_related("office", "source", "claimed_by").get(pk=lead.pk)
    can_choose_office = permissions.can(request.user, "leads.choose_office")
    # Picking a callback status offers the next snooze slot; a callback lead shows its own.
    next_slot = local_input_value(lead, next_snooze_slot(lead))
    current = lead.next_contact_at if lead.status in CALLBACK_STATUSES else None
    context = {
        "lead": lead,
        "urgency": lead.urgency,
        "phone_visible": lead.phone_visible_to(request.user),
        "can": _capabilities(request.user),
        "can_choose_office": can_choose_office,
        "office_choices": Office.objects.visible_to(request.user) if can_choose_office else [],
        "status_form": status_form
        or StatusForm(
            lead=lead,
            initial={
                "status": lead.status,
                "next_contact": local_input_value(lead, current) or next_slot,
            },
        ),
        "next_slot": next_slot,
        "outside_calling_hours": lead.status != Status.IRRELEVANT and is_outside(lead),
        "local_time": f"{timezone.now().astimezone(lead.local_zone):%-I:%M %p %Z}",
        "callback_statuses": CALLBACK_STATUSES,
        "timeline": TimelineEntry.objects.for_subject(lead).select_related("actor")[:100],
        "bookback_calls": lead.bookback_calls.all()[:5],
        "workiz_form": WorkizForm(),
        "error": error,
        "notice": notice,
        "steps_total": len(lead.source.snooze_steps or []),
    }
    template = "leads/_partials/panel.html" if request.htmx else "leads/detail.html"
    return render(request, template, context)


@permissions.require("leads.view")
def detail(request, pk: int):
    archived = request.GET.get("archived") == "1" and permissions.can(request.user, "leads.archive")
    return _panel(request, _lead_or_404(request, pk, archived=archived))


def _act(request, pk: int, action, **kwargs) -> HttpResponse:
    """Run one lead action for the panel; a refusal re-renders the panel with the reason
    (the action checks the capability: a missing one is a 403)."""
    lead = _lead_or_404(request, pk)
    try:
        action(lead=lead, actor=request.user, **kwargs)
    except DomainError as error:
        return _panel(request, lead, error=error.message)
    return _panel(request, lead)


@permissions.require("leads.edit")
@require_POST
def claim(request, pk: int):
    return _act(request, pk, services.claim_lead)


@permissions.require("leads.edit")
@require_POST
def call_attempt(request, pk: int):
    return _act(request, pk, services.log_call_attempt)


@permissions.require("leads.edit")
@require_POST
def change_status(request, pk: int):
    lead = _lead_or_404(request, pk)
    form = StatusForm(request.POST, lead=lead)
    if not form.is_valid():
        return _panel(request, lead, status_form=form, error="Check the status fields.")
    data = form.cleaned_data
    try:
        lead = services.change_status(
            lead=lead,
            actor=request.user,
            status=data["status"],
            next_contact_at=data["next_contact"],
            reason=data["reason"],
        )
    except DomainError as error:
        # What the status needs is said beside its field; anything else above the panel.
        field = {Status.IRRELEVANT: "reason"}.get(data["status"], "next_contact")
        if data["status"] in (*CALLBACK_STATUSES, Status.IRRELEVANT):
            form.add_error(field, error.message)
            return _panel(request, lead, status_form=form)
        return _panel(request, lead, status_form=form, error=error.message)
    board_url = url_or_none("jobs:dashboard")
    if lead.status == Status.CONVERTED and lead.office.is_jobs_enabled and board_url:
        # Straight to the Jobs page with the New Job form open, pre-filled from the lead.
        return HttpResponseClientRedirect(f"{board_url}?new_job_for_lead={lead.pk}")
    return _panel(request, lead)


@permissions.require("leads.edit")
@require_POST
def edit_field(request, pk: int, field: str):
    if field not in services.EDITABLE_FIELDS:
        raise PermissionDenied
    if field == "office":  # refused before the value is read, as the action would
        permissions.check(request.user, "leads.choose_office")
    lead = _lead_or_404(request, pk)
    # The action also refuses an unclaimed lead's phone (claim first).
    form = FieldForm(request.POST, field=field, user=request.user)
    error, saved = "", False
    if form.is_valid():
        try:
            lead = services.update_field(
                lead=lead, actor=request.user, field=field, value=form.cleaned_data["value"]
            )
            saved = True
        except DomainError as exc:
            error = exc.message
    else:
        error = " ".join(form.errors.get("value", ["Check this value."]))
    context = {
        "lead": lead,
        "field": field,
        "error": error,
        "saved": saved,
        "value": request.POST.get("value", ""),
    }
    return render(request, "leads/_partials/field_status.html", context)


@permissions.require("leads.edit")
@require_POST
def opened_in_workiz(request, pk: int):
    form = WorkizForm(request.POST)
    job_number = form.data.get("job_number", "")
    return _act(request, pk, services.mark_opened_in_workiz, job_number=job_number)


@permissions.require("leads.archive")
@require_POST
def archive(request, pk: int):
    lead = _lead_or_404(request, pk)
    services.archive_lead(lead=lead, actor=request.user)
    return HttpResponseClientRefresh() if request.htmx else redirect("leads:dashboard")


@permissions.require("leads.archive")
def archived(request):
    leads = _leads(request.user, archived=True).order_by("-archived_at", "-id")[:200]
    context = {"leads": leads, "can": _capabilities(request.user)}
    template = "leads/_partials/archived.html" if request.htmx else "leads/archived.html"
    return render(request, template, context)


@permissions.require("leads.archive")
@require_POST
def restore(request, pk: int):
    services.restore_lead(lead=_lead_or_404(request, pk, archived=True), actor=request.user)
    return archived(request)


@permissions.require("leads.delete")
@require_POST
def delete(request, pk: int):
    services.delete_lead(lead=_lead_or_404(request, pk, archived=True), actor=request.user)
    return archived(request)


@permissions.require("leads.create")
def create(request):
    can_choose_office = permissions.can(request.user, "leads.choose_office")
    form = LeadCreateForm(
        request.POST or None, user=request.user, can_choose_office=can_choose_office
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        office = data.pop("office", None)  # agents have none: the action picks their first
        try:
            lead = services.create_lead(office=office, actor=request.user, via="manual", **data)
        except DomainError as exc:
            error = exc.message
        else:
            return (
                HttpResponseClientRefresh()
                if request.htmx
                else redirect("leads:detail", pk=lead.pk)
            )
    template = "leads/_partials/create.html" if request.htmx else "leads/create.html"
    return render(request, template, {"form": form, "error": error})
