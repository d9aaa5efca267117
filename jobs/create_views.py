"""➕ New Job: the modal (or a page without JS), blank or pre-filled from a converted lead,
with the 5 closest service areas as radio cards and the contractor list narrowed to the
picked area + job type."""

import math

from django.core.exceptions import PermissionDenied
from django.db.models import Subquery
from django.shortcuts import get_object_or_404, render

from contractors.geocoding import google_api_key
from contractors.matching import dispatch_candidates
from contractors.models import JobType, ServiceArea
from crm import permissions, phones
from crm.errors import DomainError
from jobs import services
from jobs.create_forms import NewJobForm
from jobs.responses import done
from jobs.services.placing import closest_areas, point_of
from jobs.views import can_view
from leads.models import Lead

FORM_PARTIAL = "jobs/_partials/new_job.html"


def _require_create(user) -> None:
    if not permissions.can(user, "jobs.create"):
        raise PermissionDenied


def _lead(request) -> Lead | None:
    """The converted lead a job is being made from (?lead= or the posted field)."""
    raw = request.POST.get("lead") or request.GET.get("lead") or ""
    if not raw.isdigit():
        return None
    return get_object_or_404(Lead.objects.visible_to(request.user), pk=raw)


def _place(data) -> dict:
    """The address's point (for the mini-map) and its 5 closest service areas."""
    where = {"zip_code": data.get("zip_code") or "", "lat": data.get("lat"), "lng": data.get("lng")}
    return {"areas": closest_areas(**where), "origin": point_of(**where)}


def _context(form: NewJobForm, *, lead: Lead | None, error: str = "") -> dict:
    data = form.data if form.is_bound else form.initial
    area_id = str(data.get("service_area") or "")
    return {
        "form": form,
        "lead": lead,
        "error": error,
        **_place(data),
        "picked_area": area_id,
        "picked_contractor": str(data.get("contractor") or ""),
        "contractors": _contractors(data),
    }


def _contractors(data) -> list | None:
    """The dispatch candidates for the dropdown: the area's and its zone's contractors of the
    job type, each with why it is listed (none until area and type are both picked)."""
    area_id, type_id = str(data.get("service_area") or ""), str(data.get("job_type") or "")
    if not (area_id.isdigit() and type_id.isdigit()):
        return None
    # One query for both: the area, and the label of the job type (dispatch reads no more).
    type_label = JobType.objects.filter(pk=type_id).values("label")[:1]
    area = ServiceArea.objects.annotate(type_label=Subquery(type_label)).filter(pk=area_id).first()
    if area is None or area.type_label is None:
        return None
    job_type = JobType(pk=int(type_id), label=area.type_label)
    where = {"zip_code": data.get("zip_code") or "", "lat": data.get("lat"), "lng": data.get("lng")}
    try:
        point = point_of(**where)
    except ValueError:  # a hand-made lat/lng: match on the area alone
        point = None
    if point is not None and not all(math.isfinite(value) for value in point):
        point = None
    return dispatch_candidates(point, job_type, service_area=area)


# The service's own sentences, said beside each empty field at once: the service stops at the
# first, and one error per click makes Create Job look dead.
REQUIRED = {
    "first_name": "A job needs the client's first name.",
    "job_type": "Pick the job type.",
    "source": "Pick the job source (Job Partner).",
    "date": "Pick the date and time of the job.",
    "start_time": "Pick the time the job starts.",
}


def _check_fields(form: NewJobForm) -> bool:
    """Validate, and add an error beside every field the service would refuse, so a bad email
    and an empty first name show together; True when none."""
    form.is_valid()
    data = form.cleaned_data
    for name, message in REQUIRED.items():
        value = data.get(name)
        if name not in form.errors and (
            value is None or (isinstance(value, str) and not value.strip())
        ):
            form.add_error(name, message)
    if "phone" not in form.errors:
        try:
            phones.normalize_phone(data.get("phone", ""))
        except ValueError as exc:
            form.add_error("phone", str(exc))
    return not form.errors


SOURCE_HINT = "Pick the partner this job is for"


def _initial_from_lead(lead: Lead | None) -> dict:
    """The lead's fields for the form, its phone as a person reads it ("(305) 555-1007", not
    the stored E.164; the form accepts either)."""
    if lead is None:
        return {}
    initial = services.initial_from_lead(lead)
    initial["phone"] = phones.pretty(initial.get("phone") or "")
    return initial


def _source_hint(lead: Lead) -> str:
    """Said under an empty Job source: the lead's partner names no Job Partner."""
    if lead.partner_name:
        return f"{SOURCE_HINT} (the lead came from “{lead.partner_name}”, not a Job Partner)."
    return f"{SOURCE_HINT}."


@can_view
def new_job(request):
    _require_create(request.user)
    lead = _lead(request)
    initial = _initial_from_lead(lead)
    form = NewJobForm(request.POST or None, user=request.user, initial=initial)
    picked_source = form.is_bound and form.data.get("source")
    if lead is not None and initial.get("source") is None and not picked_source:
        form.fields["source"].help_text = _source_hint(lead)
    error = ""
    # "Find service areas" (no-JS) only redraws the form with the areas for the address.
    if request.method == "POST" and "find_areas" not in request.POST and _check_fields(form):
        fields = form.job_fields()
        try:
            if lead is not None:
                job = services.create_job_from_lead(actor=request.user, lead=lead, **fields)
            else:
                job = services.create_job(actor=request.user, **fields)
        except DomainError as exc:
            error = exc.message
        else:
            return done(
                request, closeModal={}, toast=f"{job.display_id} created for {job.full_name}."
            )
    context = _context(form, lead=lead, error=error)
    if not request.htmx:
        context["maps_key"] = google_api_key()
    return render(request, FORM_PARTIAL if request.htmx else "jobs/new_job.html", context)


@can_view
def area_cards(request):
    """GET ?zip=&lat=&lng= → the radio cards of the 5 closest areas (as the address changes)."""
    _require_create(request.user)
    context = {**_place(request.GET), "picked_area": request.GET.get("service_area", "")}
    return render(request, "jobs/_partials/area_cards.html", context)


@can_view
def contractor_options(request):
    """GET ?service_area=&job_type=&zip_code=&lat=&lng= → the contractor <option>s."""
    _require_create(request.user)
    context = {"contractors": _contractors(request.GET)}
    return render(request, "jobs/_partials/contractor_options.html", context)
