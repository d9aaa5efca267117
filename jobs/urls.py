from django.urls import include, path

from jobs import action_views, create_views, import_views, views

app_name = "jobs"
urlpatterns = [
    path("jobs", views.dashboard, name="dashboard"),
    path("jobs/archived", views.archived, name="archived"),
    path("jobs/reminders", views.reminders, name="reminders"),
    path("jobs/import", import_views.workiz_import, name="import"),
    path("jobs/new", create_views.new_job, name="new"),
    path("jobs/new/areas", create_views.area_cards, name="area_cards"),
    path("jobs/new/contractors", create_views.contractor_options, name="contractor_options"),
    path("jobs/<int:pk>", views.detail, name="detail"),
    path("jobs/<int:pk>/status", action_views.change_status, name="status"),
    path("jobs/<int:pk>/schedule", action_views.change_schedule, name="schedule"),
    path("jobs/<int:pk>/follow-up", action_views.reschedule_follow_up, name="follow_up"),
    path(
        "jobs/<int:pk>/expected-completion",
        action_views.change_expected_completion,
        name="expected_completion",
    ),
    path("jobs/<int:pk>/field", action_views.update_field, name="field"),
    path("jobs/<int:pk>/address", action_views.change_address, name="address"),
    path("jobs/<int:pk>/tags", action_views.set_tags, name="tags"),
    path("jobs/<int:pk>/k", action_views.k_dialog, name="k"),
    path("jobs/<int:pk>/find-contractor", action_views.find_contractor, name="find_contractor"),
    path("jobs/<int:pk>/rebook", action_views.rebook, name="rebook"),
    path("jobs/<int:pk>/archive", action_views.archive, name="archive"),
    path("jobs/<int:pk>/restore", action_views.restore, name="restore"),
    path("", include("jobs.cp_urls")),
]
