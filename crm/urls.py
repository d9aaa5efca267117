from django.urls import include, path

from crm import views
from crm.accounts import views as account_views

urlpatterns = [
    path("", account_views.root, name="root"),
    path("api/last-change", views.last_change, name="live_sync"),
    path("", include("crm.accounts.urls")),
    path("", include("crm.timeline.urls")),
    path("cp/", include("crm.controlpanel.urls")),
    path("", include("leads.urls")),
    path("", include("contractors.urls")),
    path("", include("jobs.urls")),
    path("", include("finance.urls")),
]
