from django.urls import path

from crm.reports import cp_views, views

app_name = "reports"
urlpatterns = []

# 📊 Reports modal and its .xlsx downloads (reports-ui)
urlpatterns += [
    path("reports", views.modal, name="modal"),
    path("reports/export.xlsx", views.export, name="export"),
]

# CP → 📧 Email Settings (reports-backend)
urlpatterns += [
    path("cp/email-settings", cp_views.email_settings, name="email_settings"),
    path("cp/email-settings/test", cp_views.send_test, name="email_test"),
]
