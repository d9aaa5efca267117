from django.urls import path

from contractors import cp_views

urlpatterns = [
    path("cp/job-types", cp_views.job_types, name="cp_job_types"),
    path("cp/job-types/<int:pk>", cp_views.job_types, name="cp_job_type_edit"),
    path("cp/job-types/<int:pk>/delete", cp_views.delete_job_type, name="cp_job_type_delete"),
    path("cp/job-partners", cp_views.job_partners, name="cp_job_partners"),
    path("cp/job-partners/<int:pk>", cp_views.job_partners, name="cp_job_partner_edit"),
    path(
        "cp/job-partners/<int:pk>/delete", cp_views.delete_job_partner, name="cp_job_partner_delete"
    ),
    path("cp/job-partners/<int:pk>/logins", cp_views.partner_logins, name="cp_partner_logins"),
    path(
        "cp/job-partners/<int:pk>/logins/<int:user_pk>/active",
        cp_views.set_partner_login_active,
        name="cp_partner_login_active",
    ),
    path(
        "cp/job-partners/<int:pk>/logins/<int:user_pk>/sign-in-link",
        cp_views.send_partner_sign_in_link,
        name="cp_partner_login_link",
    ),
]
