"""Leads tools, included inside the "leads" namespace by leads/urls.py."""

from django.urls import path

from leads import tools_views

urlpatterns = [
    path("leads/import", tools_views.import_leads, name="import"),
    path("leads/duplicates", tools_views.duplicates, name="duplicates"),
    path("leads/duplicates/resolve", tools_views.resolve_duplicates, name="resolve_duplicates"),
]
