"""Owner CP pages of the leads app; included by leads/urls.py inside the "leads" namespace."""

from django.urls import path

from leads import cp_views

urlpatterns = [
    path("cp/lead-sources", cp_views.cp_sources, name="cp_sources"),
    path("cp/lead-sources/reorder", cp_views.cp_sources_reorder, name="cp_sources_reorder"),
    path("cp/lead-sources/<int:pk>", cp_views.cp_source_edit, name="cp_source_edit"),
    path("cp/lead-sources/<int:pk>/token", cp_views.cp_source_token, name="cp_source_token"),
    path("cp/lead-sources/<int:pk>/delete", cp_views.cp_source_delete, name="cp_source_delete"),
    path("cp/snooze-sequences", cp_views.cp_snooze, name="cp_snooze"),
    path("cp/snooze-sequences/<int:pk>", cp_views.cp_snooze_edit, name="cp_snooze_edit"),
    path("cp/calling-hours", cp_views.cp_calling_hours, name="cp_calling_hours"),
    path("cp/inbox-failures", cp_views.cp_inbox_failures, name="cp_inbox_failures"),
    path(
        "cp/inbox-failures/<int:pk>/<str:action>",
        cp_views.cp_inbox_action,
        name="cp_inbox_action",
    ),
    path(
        "cp/calling-hours/<int:pk>/delete",
        cp_views.cp_calling_hours_delete,
        name="cp_calling_hours_delete",
    ),
]
