from django.urls import path

from jobs import cp_views

urlpatterns = [
    path("cp/cancel-reasons", cp_views.cancel_reasons, name="cp_cancel_reasons"),
    path("cp/cancel-reasons/<int:pk>", cp_views.cancel_reasons, name="cp_cancel_reason_edit"),
    path(
        "cp/cancel-reasons/<int:pk>/delete",
        cp_views.delete_cancel_reason,
        name="cp_cancel_reason_delete",
    ),
    path("cp/job-tags", cp_views.job_tags, name="cp_job_tags"),
    path("cp/job-tags/<int:pk>", cp_views.job_tags, name="cp_job_tag_edit"),
    path("cp/job-tags/<int:pk>/delete", cp_views.delete_job_tag, name="cp_job_tag_delete"),
    path("cp/jobs-settings", cp_views.jobs_settings, name="cp_jobs_settings"),
]
