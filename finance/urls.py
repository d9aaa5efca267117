from django.urls import path

from finance import cp_views, views

app_name = "finance"
urlpatterns = [
    path("finance", views.dashboard, name="dashboard"),
    path("finance/export", views.export, name="export"),
    path("finance/reports", views.reports, name="reports"),
    path("finance/reports/send", views.send_reports, name="send_reports"),
    path("finance/<int:pk>", views.detail, name="detail"),
    path("finance/<int:pk>/money", views.update_money, name="money"),
    path("finance/<int:pk>/paid", views.set_paid, name="paid"),
    path("finance/<int:pk>/cancel", views.finance_cancel, name="cancel"),
    path("finance/<int:pk>/archive", views.archive, name="archive"),
    path("cp/finance-settings", cp_views.finance_settings, name="cp_finance_settings"),
]
