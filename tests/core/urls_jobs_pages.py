"""The real URLconf plus stand-ins for the Jobs-feature pages, to exercise the shared guard
before the jobs and contractors apps exist."""

from django.http import HttpResponse
from django.urls import include, path

from crm import permissions
from crm.urls import urlpatterns as crm_urlpatterns


@permissions.require("jobs.view")
def jobs_page(request):
    return HttpResponse("jobs board")


@permissions.require("contractors.view")
def contractors_page(request):
    return HttpResponse("contractors")


@permissions.require("service_areas.view")
def service_areas_page(request):
    return HttpResponse("service areas")


@permissions.require("leads.view")
def leads_page(request):
    return HttpResponse("leads")


jobs_patterns = ([path("", jobs_page, name="dashboard")], "jobs")
contractor_patterns = (
    [
        path("contractors", contractors_page, name="list"),
        path("service-areas", service_areas_page, name="service_areas"),
    ],
    "contractors",
)
leads_patterns = ([path("", leads_page, name="dashboard")], "leads")

urlpatterns = [
    path("jobs", include(jobs_patterns)),
    path("leads", include(leads_patterns)),
    path("", include(contractor_patterns)),
    *crm_urlpatterns,
]
