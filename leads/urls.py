from django.urls import include, path

from leads import views, webhooks

app_name = "leads"
urlpatterns = [
    path("leads", views.dashboard, name="dashboard"),
    path("", include("leads.cp_urls")),
    path("", include("leads.tools_urls")),
]
