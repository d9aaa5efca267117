"""The benchmark URLs plus a signed-in bare view: the floor for a page behind sign-in."""

from django.http import HttpResponse
from django.urls import path

from crm import permissions
from tests.bench.urls import urlpatterns as bench_urlpatterns


@permissions.require("jobs.view")
def signed_in_bare(request):
    """The session, the user and the capability check a jobs page pays, then nothing."""
    return HttpResponse("<option value=''>-</option>")


urlpatterns = [path("bench/signed-in-bare", signed_in_bare), *bench_urlpatterns]
