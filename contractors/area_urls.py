from django.urls import path

from contractors import area_views

# Included inside the "contractors" namespace (contractors/urls.py): no app_name here.
urlpatterns = [
    path("service-areas", area_views.service_areas, name="service_areas"),
    path("service-areas/lookup", area_views.lookup, name="service_area_lookup"),
    path("service-areas/new", area_views.new, name="service_area_new"),
    path("service-areas/upload", area_views.upload, name="service_area_upload"),
    path("service-areas/<int:pk>", area_views.edit, name="service_area_edit"),
    path("service-areas/<int:pk>/delete", area_views.delete, name="service_area_delete"),
]
