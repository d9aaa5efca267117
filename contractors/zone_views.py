"""🎯 Priority zones: the editor modal (name, job type, ordered contractors) for a polygon
drawn on the Contractors map. Everyone who sees the page reads zones; admin+ edit them."""

import json

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from contractors.models import Contractor, JobType, PriorityZone
from contractors.services import zones
from contractors.zone_forms import ZoneForm
from crm import permissions
from crm.errors import DomainError

can_view = permissions.require("contractors.view")
FORM_PARTIAL = "contractors/_partials/zone_form.html"


def _require_zones(user) -> None:
    if not permissions.can(user, "contractors.zones"):
        raise PermissionDenied


def _picks(job_type: JobType | None) -> list[dict]:
    """What the add box offers: active contractors who do the job type."""
    if job_type is None:
        return []
    eligible = zones.zone_contractor_picks(job_type).values_list("id", "name")
    return [{"id": pk, "name": name} for pk, name in eligible]


def _listed(ids: list[int]) -> list[dict]:
    """The ordered list as the user left it (unknown ids dropped)."""
    names = dict(Contractor.objects.filter(pk__in=ids).values_list("id", "name"))
    return [{"id": pk, "name": names[pk]} for pk in ids if pk in names]


def _drawn(raw: str):
    """The polygon the map hands over in ?polygon= (JSON); checked for real on save."""
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _save(request, form: ZoneForm, zone: PriorityZone | None) -> str:
    """Save a valid form; the refusal's message, or "" when saved."""
    try:
        zones.save_zone(
            actor=request.user,
            zone=zone,
            contractor_ids=form.contractor_ids(),
            **form.cleaned_data,
        )
    except DomainError as exc:
        return exc.message
    return ""


def _editor(request, *, zone: PriorityZone | None):
    _require_zones(request.user)
    if zone is not None:
        initial = {"name": zone.name, "job_type": zone.job_type, "polygon": zone.polygon}
        ids = list(zone.entries.values_list("contractor_id", flat=True))
    else:
        initial, ids = {"polygon": _drawn(request.GET.get("polygon", ""))}, []
    form = ZoneForm(request.POST or None, initial=initial)
    error = ""
    if form.is_bound:
        ids = form.contractor_ids()
        if form.is_valid():
            error = _save(request, form, zone)
            if not error:
                return HttpResponseClientRefresh()
    job_type = form.cleaned_data.get("job_type") if form.is_bound else initial.get("job_type")
    context = {
        "form": form,
        "zone": zone,
        "listed": _listed(ids),
        "picks": _picks(job_type),
        "error": error,
    }
    return render(request, FORM_PARTIAL, context)


@can_view
def zone_new(request):
    return _editor(request, zone=None)


@can_view
def zone_edit(request, pk: int):
    return _editor(request, zone=get_object_or_404(PriorityZone, pk=pk))


@can_view
@require_POST
def zone_delete(request, pk: int):
    _require_zones(request.user)
    zones.delete_zone(actor=request.user, zone=get_object_or_404(PriorityZone, pk=pk))
    return HttpResponseClientRefresh()


@can_view
@require_GET
def zone_picks(request):
    """GET ?job_type=ID → {"contractors": [{id, name}]} for the add box."""
    _require_zones(request.user)
    raw = request.GET.get("job_type", "")
    job_type = JobType.objects.filter(pk=raw).first() if raw.isdigit() else None
    return JsonResponse({"contractors": _picks(job_type)})
