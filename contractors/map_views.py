"""The maps' JSON: the coverage data both map pages draw, and the 🗺 Areas editor's
one-pin toggle (the browser has already flipped the pin; this confirms or refuses)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from contractors import coverage_map
from contractors.models import Contractor, ServiceArea
from contractors.services import coverage
from crm import permissions

can_view = permissions.require("contractors.view")


@can_view
@require_GET
def map_data(request):
    return JsonResponse(coverage_map.payload())


@can_view
@require_POST
def toggle_area(request, pk: int, area_pk: int):
    """POST covered=1|0 (the wanted state) → {"covered": bool, "area_count": n}."""
    if not permissions.can(request.user, "contractors.edit"):
        return JsonResponse({"error": "Your role cannot change coverage."}, status=403)
    wanted = request.POST.get("covered")
    if wanted not in ("0", "1"):
        return JsonResponse({"error": "Say covered=1 or covered=0."}, status=400)
    contractor = get_object_or_404(Contractor, pk=pk)
    area = get_object_or_404(ServiceArea, pk=area_pk)
    count = coverage.set_area_covered(
        actor=request.user, contractor=contractor, area=area, covered=wanted == "1"
    )
    return JsonResponse({"covered": wanted == "1", "area_count": count})
