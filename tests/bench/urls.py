"""The app's URLs plus a bare Django view: the yardstick for hot endpoints."""

from django.http import JsonResponse
from django.urls import path

from crm.urls import urlpatterns as crm_urlpatterns


def bare(request):
    """Touches neither the session nor the user: the cheapest view the stack can serve."""
    request.skip_live_scope = True
    return JsonResponse({"stamp": 0})


urlpatterns = [path("bench/bare", bare), *crm_urlpatterns]
