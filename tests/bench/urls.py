"""The app's URLs plus bare Django views: the yardsticks for hot endpoints."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from crm.urls import urlpatterns as crm_urlpatterns


def bare(request):
    """Touches neither the session nor the user: the cheapest view the stack can serve."""
    request.skip_live_scope = True
    return JsonResponse({"stamp": 0})


@login_required
def signed_in_bare(request):
    """The session and the user every page behind sign-in pays, then nothing: the floor
    list pages are measured against (tests/bench/scale.py)."""
    return HttpResponse("ok")


@csrf_exempt
def bare_insert(request):
    """One INSERT of a lead from the posted name and phone: the floor for webhook ingest."""
    from leads.models import Lead, LeadSource

    request.skip_live_scope = True
    source = LeadSource.objects.get(key="manual")
    lead = Lead.objects.create(
        office_id=source.default_office_id or request.GET["office"],
        source=source,
        first_name=request.POST["name"],
        phone=request.POST["phone"],
        phone_last10=request.POST["phone"][-10:],
    )
    return JsonResponse({"status": "success", "lead_id": lead.pk})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/signed-in-bare", signed_in_bare),
    path("bench/bare-insert", bare_insert),
    *crm_urlpatterns,
]
