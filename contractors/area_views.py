"""📍 Service Areas: every non-partner role reads, owner and finance admin edit. Thin:
forms parse, `crm.permissions` decides, `contractors.services.areas` writes."""

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from contractors import area_upload
from contractors.area_forms import ServiceAreaForm, UploadForm
from contractors.geocoding import geocode_zip, google_api_key
from contractors.models import Contractor, ServiceArea
from contractors.services import areas as area_services
from crm import permissions
from crm.errors import DomainError
from crm.http import json_error

can_view = permissions.require("service_areas.view")
ROWS_PARTIAL = "contractors/_partials/area_rows.html"
FORM_PARTIAL = "contractors/_partials/area_form.html"
# ?sort= value → ORDER BY; a leading "-" reverses. The label breaks ties so rows don't jump.
SORTS = {
    "label": ("label",),
    "city": ("state", "city", "label"),
    "zip": ("zip_code", "label"),
    "contractors": ("contractor_count", "label"),
}


def _require_edit(request) -> None:
    if not permissions.can(request.user, "service_areas.edit"):
        raise PermissionDenied


def _sort(raw: str) -> tuple[str, tuple[str, ...]]:
    """The sort the page shows (e.g. "-contractors") and its ORDER BY."""
    key = raw.lstrip("-")
    if key not in SORTS:
        return "label", SORTS["label"]
    descending = raw.startswith("-")
    fields = SORTS[key]
    first = f"-{fields[0]}" if descending else fields[0]
    return raw, (first, *fields[1:])


def _coverage(area_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """{area id: [(job type, active contractors covering the area who do it)]}, one query,
    job types in their CP sort order."""
    through = Contractor.service_areas.through
    counts = (
        through.objects.filter(servicearea_id__in=area_ids, contractor__is_active=True)
        .exclude(contractor__job_types=None)
        .values("servicearea_id", "contractor__job_types__label")
        .annotate(count=Count("contractor_id", distinct=True))
        .order_by(
            "servicearea_id",
            "contractor__job_types__sort_order",
            "contractor__job_types__label",
        )
    )
    coverage = defaultdict(list)
    for row in counts:
        coverage[row["servicearea_id"]].append((row["contractor__job_types__label"], row["count"]))
    return coverage


def _columns(query: str, sort: str) -> list[dict]:
    """Sortable headers: a click sorts by the column, a second click reverses it."""
    columns = []
    for key, title in (
        ("label", "Area"),
        ("city", "City / State"),
        ("zip", "ZIP"),
        ("contractors", "Contractors"),
    ):
        is_current = sort.lstrip("-") == key
        next_sort = key if not is_current or sort.startswith("-") else f"-{key}"
        params = urlencode({"q": query, "sort": next_sort} if query else {"sort": next_sort})
        arrow = ("▼" if sort.startswith("-") else "▲") if is_current else ""
        columns.append({"key": key, "title": title, "url": f"?{params}", "arrow": arrow})
    return columns


def _rows(request) -> dict:
    """The list's context: areas matching ?q=, in ?sort= order, with their coverage."""
    query = request.GET.get("q", "").strip()
    sort, order_by = _sort(request.GET.get("sort", "label"))
    areas = ServiceArea.objects.annotate(
        contractor_count=Count("contractors", filter=Q(contractors__is_active=True), distinct=True)
    )
    if query:
        areas = areas.filter(
            Q(label__icontains=query)
            | Q(city__icontains=query)
            | Q(zip_code__startswith=query)
            | Q(state__iexact=query)
        )
    areas = list(areas.order_by(*order_by))
    coverage = _coverage([area.pk for area in areas])
    return {
        "rows": [{"area": area, "coverage": coverage.get(area.pk, [])} for area in areas],
        "q": query,
        "sort": sort,
        "columns": _columns(query, sort),
        "can_edit": permissions.can(request.user, "service_areas.edit"),
        "total": ServiceArea.objects.count() if query else len(areas),
    }


@can_view
def service_areas(request):
    context = _rows(request)
    if request.htmx and request.htmx.target == "area-list":  # live search swaps the list only
        return render(request, ROWS_PARTIAL, context)
    context["maps_key"] = google_api_key()
    return render(request, "contractors/service_areas.html", context)


@can_view
def lookup(request):
    """GET ?zip=33101 → {"status": "success", city, state, lat, lng} for the Lookup button."""
    _require_edit(request)
    try:
        place = geocode_zip(request.GET.get("zip", ""))
    except ValueError as exc:
        return json_error(str(exc), 400)
    return JsonResponse(
        {
            "status": "success",
            "city": place.city,
            "state": place.state,
            "lat": place.lat,
            "lng": place.lng,
        }
    )


def _form_response(request, form, *, area=None, error=""):
    """The form in the modal (HTMX) or above the list (a plain request, no JS needed)."""
    context = {"form": form, "area": area, "error": error}
    if request.htmx:
        return render(request, FORM_PARTIAL, context)
    page = {**_rows(request), **context, "maps_key": google_api_key()}
    return render(request, "contractors/service_areas.html", page)


def _saved(request, text: str):
    messages.success(request, text)
    return HttpResponseClientRefresh() if request.htmx else redirect("contractors:service_areas")


@can_view
def new(request):
    _require_edit(request)
    form = ServiceAreaForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            area = area_services.add_service_area(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            error = exc.message
        else:
            return _saved(request, f"Service area {area.label} added ({area.city}, {area.state}).")
    return _form_response(request, form, error=error)


@can_view
def edit(request, pk: int):
    _require_edit(request)
    area = get_object_or_404(ServiceArea, pk=pk)
    initial = {
        "label": area.label,
        "zip_code": area.zip_code,
        "area_code": area.area_code,
        "office_address": area.office_address,
    }
    form = ServiceAreaForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            area = area_services.update_service_area(
                actor=request.user, area=area, **form.cleaned_data
            )
        except DomainError as exc:
            error = exc.message
        else:
            return _saved(request, f"Service area {area.label} saved.")
    return _form_response(request, form, area=area, error=error)


@can_view
@require_POST
def delete(request, pk: int):
    _require_edit(request)
    area = get_object_or_404(ServiceArea, pk=pk)
    area_services.delete_service_area(actor=request.user, area=area)
    return _saved(request, f"Service area {area.label} deleted.")


@can_view
def upload(request):
    _require_edit(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = area_upload.upload_service_areas(
            actor=request.user, rows=form.cleaned_data["file"]
        )
        form = UploadForm()  # a fresh form for the next file
    template = "contractors/_partials/area_upload_modal.html" if request.htmx else None
    context = {"form": form, "result": result}
    return render(request, template or "contractors/area_upload.html", context)
