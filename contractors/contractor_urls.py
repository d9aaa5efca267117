from django.urls import path

from contractors import contractor_views as views
from contractors import map_views, zone_views

# Included inside the "contractors" namespace by contractors/urls.py.
urlpatterns = [
    path("contractors", views.contractor_list, name="list"),
    path("contractors/new", views.contractor_new, name="contractor_new"),
    path("contractors/upload", views.contractor_upload, name="contractor_upload"),
    path("contractors/<int:pk>", views.contractor_edit, name="contractor_edit"),
    path("contractors/<int:pk>/active", views.contractor_toggle, name="contractor_toggle"),
    path("contractors/<int:pk>/delete", views.contractor_delete, name="contractor_delete"),
    path("contractors/<int:pk>/areas/<int:area_pk>", map_views.toggle_area, name="toggle_area"),
    path("contractors/map.json", map_views.map_data, name="map_data"),
    path("contractors/zones/new", zone_views.zone_new, name="zone_new"),
    path("contractors/zones/picks", zone_views.zone_picks, name="zone_picks"),
    path("contractors/zones/<int:pk>", zone_views.zone_edit, name="zone_edit"),
    path("contractors/zones/<int:pk>/delete", zone_views.zone_delete, name="zone_delete"),
]
