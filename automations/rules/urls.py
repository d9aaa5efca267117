"""CP → 🤖 Automations (namespace "rules"), beside the other CP pages under /cp/."""

from django.urls import path

from automations.rules import views

app_name = "rules"
urlpatterns = [
    path("cp/automations", views.rule_list, name="list"),
    path("cp/automations/new", views.rule_new, name="new"),
    path("cp/automations/preview", views.rule_preview, name="preview"),
    path("cp/automations/log", views.rule_log, name="log"),
    path("cp/automations/pause", views.pause_all, name="pause"),
    path("cp/automations/resume", views.resume_all, name="resume"),
    path("cp/automations/<int:pk>", views.rule_edit, name="edit"),
    path("cp/automations/<int:pk>/enabled", views.rule_enabled, name="enabled"),
    path("cp/automations/<int:pk>/duplicate", views.rule_duplicate, name="duplicate"),
    path("cp/automations/<int:pk>/delete", views.rule_delete, name="delete"),
]
