"""👷 Contractors: the directory page, the add/edit modal, the inline Active toggle and the
bulk upload. Thin: forms parse, `crm.permissions` decides, one action writes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from contractors.contractor_forms import ContractorForm, ContractorUploadForm
from contractors.geocoding import google_api_key
from contractors.models import Contractor, JobType
from contractors.services import contractors as services
from crm import permissions, phones
from crm.errors import DomainError

ROW_PARTIAL = "contractors/_partials/contractor_row.html"
FORM_PARTIAL = "contractors/_partials/contractor_form.html"
can_view = permissions.require("contractors.view")
PAGE_SIZE = 25
# The inline Active pill: (label, class, value to post — the wanted state, title).
ACTIVE_PILL = {
    True: ("✓ Active", "pill--on", "0", "Active: click to switch off"),
    False: ("○ Off", "pill--off", "1", "Off: click to switch on"),
}


def _require_edit(user) -> None:
    if not permissions.can(user, "contractors.edit"):
        raise PermissionDenied


def _rows():
    """Contractors with what a row shows: area count and job types in two queries flat."""
    return (
        Contractor.objects.annotate(area_count=Count("service_areas", distinct=True))
        .order_by("name", "id")  # aggregates drop Meta.ordering; paging needs a stable order
        .prefetch_related(Prefetch("job_types", queryset=JobType.objects.only("id", "label")))
    )


def _with_display(rows):
    """Rows with what the template would otherwise work out per row, which is most of the
    page's time at scale: texts, the Active pill's state, job-type labels (not a related
    manager per row) and the URLs (one reverse() a page, not per row)."""
    edit_base = reverse("contractors:contractor_edit", args=[0])[:-1]
    for row in rows:
        phone = phones.pretty(row.contact_phone)
        contact = " · ".join(part for part in (row.contact_name, phone) if part)
        row.contact_line = contact or "No contact yet"
        row.area_text = f"📍 {row.area_count} area{'' if row.area_count == 1 else 's'}"
        row.type_labels = [job_type.label for job_type in row.job_types.all()]
        row.key = str(row.pk)  # a string: numbers would go through localisation per use
        row.edit_url = f"{edit_base}{row.key}"
        row.toggle_url = f"{row.edit_url}/active"
        row.active = ACTIVE_PILL[row.is_active]
    return rows


def _type_filter(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


@can_view
def contractor_list(request):
    query = request.GET.get("q", "").strip()
    type_id = _type_filter(request.GET.get("type", ""))
    rows = _rows()
    if query:
        rows = rows.filter(
            Q(name__icontains=query)
            | Q(contact_name__icontains=query)
            | Q(contact2_name__icontains=query)
            | Q(report_email__icontains=query)
        )
    if type_id:
        rows = rows.filter(job_types=type_id)
    # A page at a time: a directory of thousands stays quick; search narrows it.
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "rows": _with_display(list(page.object_list)),
        "page": page,
        "params": params.urlencode(),
        "job_types": list(JobType.objects.only("id", "label")),
        "query": query,
        "type_id": type_id,
        "can_edit": permissions.can(request.user, "contractors.edit"),
        "can_zones": permissions.can(request.user, "contractors.zones"),
        "maps_key": google_api_key(),
    }
    return render(request, "contractors/contractors.html", context)


def _form_response(request, form, *, contractor=None, error=""):
    # Without HTMX (no JS, or a link opened in a new tab) the page shows the form alone.
    context = {"form": form, "contractor": contractor, "error": error}
    template = FORM_PARTIAL if request.htmx else "contractors/contractors.html"
    return render(request, template, context)


def _save(request, *, contractor=None):
    """GET shows the modal; POST saves through `save_contractor`, refusals on the form."""
    _require_edit(request.user)
    form = ContractorForm(request.POST or None, contractor=contractor)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_contractor(
                actor=request.user, contractor=contractor, **form.cleaned_data
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"Contractor {saved.name} saved.")
            return HttpResponseClientRefresh() if request.htmx else redirect("contractors:list")
    return _form_response(request, form, contractor=contractor, error=error)


@can_view
def contractor_new(request):
    return _save(request)


@can_view
def contractor_edit(request, pk: int):
    return _save(request, contractor=get_object_or_404(Contractor, pk=pk))


@can_view
@require_POST
def contractor_toggle(request, pk: int):
    """Flip Active from the row. The posted value is the wanted state, so a double click
    lands where the user meant instead of flipping back."""
    _require_edit(request.user)
    contractor = get_object_or_404(Contractor, pk=pk)
    wanted = request.POST.get("is_active")
    is_active = (wanted == "1") if wanted in ("0", "1") else not contractor.is_active
    services.set_active(actor=request.user, contractor=contractor, is_active=is_active)
    if not request.htmx:
        return redirect("contractors:list")
    (row,) = _with_display([_rows().get(pk=pk)])
    return render(request, ROW_PARTIAL, {"row": row, "can_edit": True})


@can_view
@require_POST
def contractor_delete(request, pk: int):
    _require_edit(request.user)
    contractor = get_object_or_404(Contractor, pk=pk)
    services.delete_contractor(actor=request.user, contractor=contractor)
    messages.success(request, f"Contractor {contractor.name} deleted.")
    return HttpResponseClientRefresh() if request.htmx else redirect("contractors:list")


@can_view
def contractor_upload(request):
    _require_edit(request.user)
    form = ContractorUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.upsert_rows(actor=request.user, rows=form.cleaned_data["file"])
        form = ContractorUploadForm()
    template = "contractors/_partials/contractor_upload_modal.html" if request.htmx else None
    context = {"form": form, "result": result}
    return render(request, template or "contractors/contractor_upload.html", context)
