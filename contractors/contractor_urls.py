from django.urls import path

from contractors import contractor_views as views

# Included inside the "contractors" namespace by contractors/urls.py.
urlpatterns = [
    path("contractors", views.contractor_list, name="list"),
    path("contractors/new", views.contractor_new, name="contractor_new"),
    path("contractors/upload", views.contractor_upload, name="contractor_upload"),
    path("contractors/<int:pk>", views.contractor_edit, name="contractor_edit"),
    path("contractors/<int:pk>/active", views.contractor_toggle, name="contractor_toggle"),
    path("contractors/<int:pk>/delete", views.contractor_delete, name="contractor_delete"),
]
