from django.urls import path

from messaging import cp_views, optout_views

app_name = "messaging"

urlpatterns = [
    path("sms/opt-outs", optout_views.possible_optouts, name="sms_optouts"),
    path("sms/opt-outs/<int:pk>/decide", optout_views.decide, name="sms_optout_decide"),
    path("cp/ctm-numbers", cp_views.ctm_numbers, name="cp_ctm_numbers"),
    path("cp/ctm-numbers/sync", cp_views.sync_now, name="cp_ctm_sync"),
    path("cp/ctm-numbers/<int:pk>", cp_views.save_line, name="cp_ctm_line"),
    path("cp/sms-templates", cp_views.templates_page, name="cp_sms_templates"),
    path("cp/sms-templates/<int:pk>", cp_views.templates_page, name="cp_sms_template"),
    path(
        "cp/sms-templates/<int:pk>/delete", cp_views.delete_template, name="cp_sms_template_delete"
    ),
]
