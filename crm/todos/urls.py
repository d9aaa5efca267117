from django.urls import path

from crm.todos import cp_views, views

app_name = "todos"
urlpatterns = []

# The 📋 Tasks panel: tabs, rows, the topbar count, the editor, Done / re-open.
urlpatterns += [
    path("tasks", views.task_panel, name="panel"),
    path("tasks/rows", views.rows, name="rows"),
    path("tasks/badge", views.badge, name="badge"),
    path("tasks/new", views.new, name="new"),
    path("tasks/<int:pk>/edit", views.edit, name="edit"),
    path("tasks/<int:pk>/delete", views.delete, name="delete"),
    path("tasks/<int:pk>/done", views.done, name="done"),
    path("tasks/<int:pk>/reopen", views.reopen, name="reopen"),
]

# CP → General Settings → 🔁 Recurring Tasks (owner; views in cp_views).
urlpatterns += [
    path("cp/recurring-tasks", cp_views.recurring, name="recurring"),
    path("cp/recurring-tasks/new", cp_views.recurring, name="recurring_new"),
    path("cp/recurring-tasks/<int:pk>", cp_views.recurring, name="recurring_edit"),
    path("cp/recurring-tasks/<int:pk>/delete", cp_views.recurring_delete, name="recurring_delete"),
]
